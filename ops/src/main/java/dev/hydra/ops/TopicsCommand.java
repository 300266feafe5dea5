package dev.hydra.ops;

import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hydra topics}: the catalog and how the cluster matches it. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Lists the topic catalog and the state of each topic on the cluster (ok, missing, differs).")
final class TopicsCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Option(names = "--create", description = "create missing topics (never changes or deletes existing ones)")
    boolean create;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // Creating topics is the admin's; describing them is anyone's.
        try (Admin admin = Admin.create(create ? connection.clientProps(Principal.ADMIN) : connection.clientProps())) {
            // kafka-init of the compose stack creates the topics here: with the replication of its configuration.
            TopicBootstrap bootstrap = new TopicBootstrap(admin, KafkaSettings.Replication.of(connection.config()));
            List<TopicBootstrap.TopicState> states = create ? bootstrap.ensure(Topics.all()) : bootstrap.inspect(Topics.all());
            out.printf("%-36s %10s %-10s %-12s %s%n", "TOPIC", "PARTITIONS", "CLEANUP", "RETENTION", "STATE");
            for (TopicBootstrap.TopicState state : states) {
                var topic = state.topic();
                out.printf("%-36s %10d %-10s %-12s %s%n", topic.name(), topic.partitions(),
                        topic.compacted() ? "compact" : "delete",
                        topic.retention().map(d -> d.toDays() + "d").orElse("default"), state.summary());
            }
        }
        return 0;
    }
}
