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
        subcommands = {ConstitutionCommand.Check.class})
final class ConstitutionCommand {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Reads tasks or tool calls, one JSON object per line (a tool call has 'tool', a task has",
                    "'task'), and prints one verdict JSON per line in the same order. Exit 0 even when some are",
                    "denied; 2 on unreadable input."})
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
}
