package dev.hydra.ops;

import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hydra acls}: the principals and ACLs of {@link AccessPolicy}, printed, and with
 * {@code --apply} created on an existing cluster, so a company cluster gets the boundary the
 * embedded broker has.
 */
@Command(name = "acls", mixinStandardHelpOptions = true,
        description = {"Prints Hydra's Kafka principals (SCRAM users) and ACLs, or applies them to a cluster.",
                "One principal per service, each allowed exactly the topics the contract gives it. --apply creates the",
                "missing users (random passwords, written as client properties files to --credentials-dir) and ACLs on",
                "the cluster, as its admin (--command-config). The cluster needs a SASL_SCRAM listener, an authorizer",
                "and allow.everyone.if.no.acl.found=false."})
final class AclsCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "client properties of a super user of the cluster, as Kafka's tools take them"
                    + " (default: the generated admin credentials)")
    Path commandConfig;

    @Option(names = "--apply", description = "create the users and ACLs that are missing (existing ones are kept)")
    boolean apply;

    @Option(names = "--credentials-dir", paramLabel = "DIR",
            description = "where --apply writes (and finds) each principal's client properties (default: <data dir>/credentials)")
    Path credentialsDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HydraConfig config = connection.config();
        AccessPolicy policy = AccessPolicy.of(config);
        PrintWriter out = spec.commandLine().getOut();
        out.println("# principals (SCRAM-SHA-512 users): " + String.join(", ",
                Principal.all().stream().map(Principal::name).toList()) + "; " + Principal.ADMIN + " is a super user");
        out.printf("# %-24s %-6s %-16s %-16s %-9s %s%n", "PRINCIPAL", "PERMIT", "OPERATION", "RESOURCE", "PATTERN", "NAME");
        AccessPolicy.lines(policy.bindings()).forEach(out::println);
        if (!apply) {
            out.flush();
            return 0;
        }
        String bootstrap = connection.bootstrap(config);
        Properties admin = commandConfig != null
                ? KafkaSettings.load(commandConfig, "--command-config")
                : KafkaSettings.client(config, bootstrap, Principal.ADMIN);
        admin.put("bootstrap.servers", bootstrap);
        Path dir = credentialsDir != null ? credentialsDir : KafkaSettings.credentialsDir(config);
        CredentialStore credentials = CredentialStore.ensure(dir, false);
        var passwords = new java.util.LinkedHashMap<>(credentials.passwords());
        passwords.remove(Principal.ADMIN); // the cluster's own admin is whoever --command-config names
        SecurityBootstrap.Applied applied = SecurityBootstrap.apply(admin, passwords, policy.bindings(), Duration.ofMinutes(1));
        out.println("# applied to " + bootstrap + ": " + applied.usersCreated().size() + " users created "
                + applied.usersCreated() + ", " + applied.aclsCreated() + " ACLs created; client properties in " + dir
                + " (a user that existed before keeps its password, not the one in its file)");
        out.flush();
        return 0;
    }
}
