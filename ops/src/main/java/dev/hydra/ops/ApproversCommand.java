package dev.hydra.ops;

import dev.hydra.constitution.FilterSettings;
import dev.hydra.constitution.rules.Constitution;
import dev.hydra.topics.config.HydraConfig;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hydra approvers}: the people who may log in to the console and API ({@link Logins}). */
@Command(name = "approvers", mixinStandardHelpOptions = true,
        description = {"Manages the console's and API's logins (hashed, in <data dir>/approvers or console.approversFile).",
                "Who may approve is the constitution's `approvers` list; anyone else who logs in may submit but not decide."},
        subcommands = {ApproversCommand.Add.class, ApproversCommand.ListLogins.class, ApproversCommand.Remove.class})
final class ApproversCommand {

    /** Options every subcommand shares. */
    static final class Where {
        @Option(names = "--config", description = "hydra.yaml (default: ${DEFAULT-VALUE}; env HYDRA_CONFIG)",
                defaultValue = "${env:HYDRA_CONFIG:-config/hydra.yaml}")
        Path configFile;

        @Option(names = "--file", paramLabel = "FILE", description = "the logins file (default: console.approversFile, else <data dir>/approvers)")
        Path file;

        HydraConfig config() {
            return HydraConfig.load(configFile, System.getenv());
        }

        Path file() {
            return file != null ? file : Logins.file(config());
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a login, or sets its new password.")
    static final class Add implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Where where;

        @Parameters(paramLabel = "NAME", description = "the login name; to decide, it must be one of the constitution's approvers")
        String name;

        @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
        boolean passwordStdin;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Logins.checkName(name);
            String password = passwordStdin ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine()
                    : prompt();
            if (password == null) {
                throw new IllegalArgumentException("no password on standard input");
            }
            Path file = where.file();
            Logins.put(file, name, password);
            spec.commandLine().getOut().println("login " + name + " saved in " + file + " (PBKDF2 hash)");
            approverNote(where.config(), name).ifPresent(spec.commandLine().getErr()::println);
            return 0;
        }

        private String prompt() {
            Console console = System.console();
            if (console == null) {
                throw new IllegalArgumentException("no terminal to ask for the password: use --password-stdin");
            }
            char[] first = console.readPassword("password for %s: ", name);
            char[] again = console.readPassword("again: ");
            if (first == null || !Arrays.equals(first, again)) {
                throw new IllegalArgumentException("the two passwords differ");
            }
            return new String(first);
        }
    }

    /** A warning when the name may log in but not decide. */
    static java.util.Optional<String> approverNote(HydraConfig config, String name) {
        try {
            Set<String> approvers = Constitution.load(FilterSettings.constitutionFile(config)).approvers();
            return approvers.contains(name) ? java.util.Optional.empty()
                    : java.util.Optional.of("note: " + name + " is not in the constitution's approvers " + approvers
                    + ": this login may submit work but its approvals are refused (403)");
        } catch (RuntimeException unreadable) {
            return java.util.Optional.of("note: could not read the constitution to check its approvers: " + unreadable.getMessage());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the logins.")
    static final class ListLogins implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Where where;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Logins.names(where.file()).forEach(spec.commandLine().getOut()::println);
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a login.")
    static final class Remove implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Where where;

        @Parameters(paramLabel = "NAME")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!Logins.remove(where.file(), name)) {
                spec.commandLine().getErr().println("hydra approvers: no login " + name + " in " + where.file());
                return 1;
            }
            spec.commandLine().getOut().println("login " + name + " removed");
            return 0;
        }
    }
}
