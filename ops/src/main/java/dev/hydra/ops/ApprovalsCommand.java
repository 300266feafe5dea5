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

    abstract static class Decide implements Callable<Integer> {
        @Mixin
        HydraCli.Connection connection;

        @Parameters(paramLabel = "REQUEST_ID")
        String id;

        @Option(names = "--by", required = true, description = "your name; must be in the constitution's approvers")
        String by;

        @Option(names = "--reason", defaultValue = "", description = "why")
        String reason;

        @Spec
        CommandSpec spec;

        abstract boolean approve();

        @Override
        public Integer call() throws Exception {
            try {
                new ApprovalDesk(connection.clientProps()).decide(id, approve(), by, reason);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("hydra approvals: " + e.getMessage());
                return 2;
            }
            spec.commandLine().getOut().println((approve() ? "approved " : "rejected ") + id
                    + " (the constitution filter checks the approver and applies it; see hydra.audit)");
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
