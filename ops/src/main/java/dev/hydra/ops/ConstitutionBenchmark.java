package dev.hydra.ops;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.constitution.rules.Ruling;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Constitution checks per second on 1 KB tool calls with the full rule set (the constitution of
 * {@code hydra.constitution}): a benign write, a shell command and an SQL statement in turn, or one of
 * them alone ({@code -p call=write_file,shell,sql} measures each) to see where the time goes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConstitutionBenchmark {
    @Param("config/constitution.yaml")
    public String constitutionFile;

    @Param("round_robin")
    public String call;

    private Constitution constitution;
    private List<ToolCall> calls;
    private int next;

    @Setup
    public void load() {
        constitution = Constitution.load(Path.of(constitutionFile));
        String kilobyte = "Notes on the ingestion pipeline. ".repeat(31);
        calls = List.of(
                call("filesystem-mcp", "write_file", Map.of("path", "/mnt/user/appdata/hydra-dev/docs/notes.md", "content", kilobyte)),
                call("shell", "run", Map.of("command", "grep -rn 'TODO' /workspace/src | head -50 # " + kilobyte.substring(0, 900))),
                call("postgres-mcp", "execute_sql", Map.of("sql", "SELECT id, name FROM features WHERE status = 'open' /* "
                        + kilobyte.substring(0, 900) + " */")));
        calls = switch (call) {
            case "round_robin" -> calls;
            case "write_file" -> List.of(calls.get(0));
            case "shell" -> List.of(calls.get(1));
            case "sql" -> List.of(calls.get(2));
            default -> throw new IllegalArgumentException("call is round_robin, write_file, shell or sql, not " + call);
        };
    }

    private static ToolCall call(String server, String tool, Map<String, Object> arguments) {
        return new ToolCall("bench", "bench-task", Crew.DEVELOPMENT, "coder", server, tool, arguments, List.of(), null);
    }

    @Benchmark
    public Ruling check() {
        ToolCall call = calls.get(next);
        next = next == calls.size() - 1 ? 0 : next + 1;
        return constitution.check(call);
    }
}
