package dev.hydra.ops;

import dev.hydra.topics.Json;
import dev.hydra.topics.events.ApprovalRequest;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hydra approvals}: the human side of NEEDS_APPROVAL. */
@Command(name = "approvals", mixinStandardHelpOptions = true,
        description = "Lists parked tasks and tool calls and approves or rejects them.",
        subcommands = {ApprovalsCommand.ListRequests.class, ApprovalsCommand.Approve.class, ApprovalsCommand.Reject.class})
final class ApprovalsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Pending requests (--all: every request with its status).")
    static final class ListRequests implements Callable<Integer> {
        @Mixin
        HydraCli.Connection connection;

        @Option(names = "--all", description = "include decided and expired requests")
        boolean all;

        @Option(names = "--json", description = "one JSON object per line")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ApprovalDesk desk = new ApprovalDesk(connection.clientProps());
            List<ApprovalRequest> requests = all ? desk.all() : desk.pending();
            PrintWriter out = spec.commandLine().getOut();
            if (!json) {
                out.printf("%-38s %-10s %-9s %-24s %-20s %s%n", "REQUEST", "STATUS", "KIND", "CONSTRAINT", "EXPIRES", "REASON");
            }
            for (ApprovalRequest r : requests) {
                if (json) {
                    out.println(Json.write(r));
                } else {
                    out.printf("%-38s %-10s %-9s %-24s %-20s %s%n", r.id(), r.status(), r.subjectKind(), r.constraint(),
                            r.expiresAt().toString().substring(0, 19), r.reason());
                }
            }
            return 0;
        }
    }

    /**
     * Decides through the running console's API, logged in as the person (HTTP Basic): the console
     * is the one service allowed to write decisions, and it records who logged in, so the CLI
     * cannot decide in anyone else's name.
     */
    abstract static class Decide implements Callable<Integer> {
        @Mixin
        ConsoleClient console;

        @Parameters(paramLabel = "REQUEST_ID")
        String id;

        @Option(names = "--reason", defaultValue = "", description = "why (recorded in the audit)")
        String reason;

        @Spec
        CommandSpec spec;

        abstract boolean approve();

        @Override
        public Integer call() throws Exception {
            ConsoleClient.Login login = ConsoleClient.Login.fromEnvironmentOrPrompt();
            ConsoleClient.Answer answer = console.post("/api/approvals/" + java.net.URLEncoder.encode(id,
                    java.nio.charset.StandardCharsets.UTF_8) + (approve() ? "/approve" : "/reject"),
                    Json.write(java.util.Map.of("reason", reason)), login);
            if (answer.status() >= 400) {
                spec.commandLine().getErr().println("hydra approvals: refused (HTTP " + answer.status() + "): "
                        + answer.body().path("error").asText(answer.body().toString()));
                return answer.status() == 404 ? 3 : 2;
            }
            spec.commandLine().getOut().println((approve() ? "approved " : "rejected ") + id + " as " + login.user()
                    + " (the constitution filter applies it; see hydra.audit)");
            return 0;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approves a pending request.")
    static final class Approve extends Decide {
        @Override
        boolean approve() {
            return true;
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true, description = "Rejects a pending request.")
    static final class Reject extends Decide {
        @Override
        boolean approve() {
            return false;
        }
    }
}
