package dev.hydra.ops;

import dev.hydra.constitution.AuditVerifier;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hydra audit verify}: walks the hash-chained audit trail and reports the first break. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Works with the audit trail (hydra.audit).",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Checks every record of hydra.audit against its per-key hash chain and reports the first removed or "
                        + "altered record. Exit 0 when intact, 1 when broken."})
    static final class Verify implements Callable<Integer> {
        @Mixin
        HydraCli.Connection connection;

        @Option(names = "--strict", description = "every chain must start at its first record (nothing expired by retention yet)")
        boolean strict;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            AuditVerifier verifier = strict ? AuditVerifier.strict() : AuditVerifier.afterRetention();
            AuditVerifier.Report report = verifier.verifyTopic(connection.clientProps(), Duration.ofMinutes(5));
            PrintWriter out = spec.commandLine().getOut();
            if (report.intact()) {
                out.printf("audit trail intact: %d records in %d chains%n", report.checked(), report.chains());
                return 0;
            }
            out.printf("audit trail BROKEN after %d records: %s%n", report.checked(), report.firstBreak().orElseThrow());
            return 1;
        }
    }
}
