package dev.hydra.ops;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.constitution.rules.ConstitutionCheck;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hydra constitution}: check items against the constitution, or diff a candidate. */
@Command(name = "constitution", mixinStandardHelpOptions = true,
        description = "Works with config/constitution.yaml.",
        subcommands = {ConstitutionCommand.Check.class, ConstitutionCommand.Diff.class})
final class ConstitutionCommand {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Reads tasks or tool calls, one JSON object per line (a tool call has 'tool', a task has 'task'), "
                        + "and prints one verdict JSON per line in the same order. Exit 0 even when some are denied; 2 on "
                        + "unreadable input."})
    static final class Check implements Callable<Integer> {
        @Option(names = "--constitution", paramLabel = "PATH", defaultValue = "${env:HYDRA_CONSTITUTION:-config/constitution.yaml}",
                description = "constitution file (default: ${DEFAULT-VALUE})")
        Path constitution;

        @Parameters(paramLabel = "FILE", arity = "0..1", description = "JSON lines; standard input when absent")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Constitution loaded = Constitution.load(constitution);
            PrintWriter out = spec.commandLine().getOut();
            try (BufferedReader in = file == null
                    ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                int code = ConstitutionCheck.run(in, out, loaded);
                out.flush();
                return code;
            }
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = {"Replays the retained tasks and tool calls through a candidate constitution, with no side effects, "
                        + "and prints every item whose verdict would change (one JSON per line). This is how a person changes "
                        + "the constitution safely."})
    static final class Diff implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        HydraCli.Connection connection;

        @Option(names = "--constitution", paramLabel = "PATH", defaultValue = "${env:HYDRA_CONSTITUTION:-config/constitution.yaml}",
                description = "the current constitution (default: ${DEFAULT-VALUE})")
        Path current;

        @Option(names = "--candidate", paramLabel = "NEW.yaml", required = true, description = "the candidate constitution")
        Path candidate;

        @Option(names = "--since", paramLabel = "TIME", description = "only items produced after TIME (ISO-8601, e.g. 2026-11-24T00:00:00Z)")
        java.time.Instant since;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var diff = new dev.hydra.constitution.ConstitutionDiff(Constitution.load(current), Constitution.load(candidate));
            var result = diff.replay(connection.clientProps(), java.util.Optional.ofNullable(since), java.time.Duration.ofMinutes(5));
            PrintWriter out = spec.commandLine().getOut();
            result.changes().forEach(change -> out.println(dev.hydra.topics.Json.write(change)));
            spec.commandLine().getErr().printf("%d items replayed, %d malformed skipped, %d verdicts would change%n",
                    result.itemsRead(), result.malformedSkipped(), result.changes().size());
            return 0;
        }
    }
}
