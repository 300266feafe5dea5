package dev.hydra.ops;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.constitution.rules.PathologicalInputs;
import dev.hydra.constitution.rules.Ruling;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import java.nio.file.Path;
import java.util.List;
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
 * Time and allocation of one check of each pathological input ({@link PathologicalInputs}: brace and
 * glob bombs, deep nesting, 10 MB values): each must get its verdict within the constitution's budgets.
 * Run with {@code -prof gc} for the bytes allocated per check ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConstitutionPathologicalBenchmark {
    @Param("config/constitution.yaml")
    public String constitutionFile;

    /** The index of the input in {@link PathologicalInputs#all()}. */
    @Param({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18",
            "19", "20", "21", "22", "23", "24", "25", "26"})
    public int input;

    private Constitution constitution;
    private ToolCall call;

    @Setup
    public void load() {
        constitution = Constitution.load(Path.of(constitutionFile));
        PathologicalInputs.Input in = PathologicalInputs.all().get(input);
        int dot = in.tool().indexOf('.');
        call = new ToolCall("bench", "bench-task", Crew.DEVELOPMENT, "coder", in.tool().substring(0, dot),
                in.tool().substring(dot + 1), in.arguments(), List.of(), null);
    }

    @Benchmark
    public Ruling check() {
        return constitution.check(call);
    }
}
