package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerTest {
    @TempDir
    Path dataDir;

    /** The generated admin credentials, found the way every client finds its own. */
    private java.util.Properties admin(EmbeddedBroker broker) {
        return KafkaSettings.client(dev.hydra.topics.config.HydraConfig.of("{}", Map.of("HYDRA_DATA_DIR", dataDir.toString())),
                broker.bootstrap(), dev.hydra.topics.config.Principal.ADMIN);
    }

    @Test
    void aRestartOnTheSameDataDirectoryKeepsTopicsAndEvents() throws Exception {
        Task task = new Task("keep-me", null, 2, 10, "survive a restart", Crew.DEVELOPMENT,
                Map.of("action", "complete_feature", "feature", "x"), List.of(), List.of(), "test", null);
        try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dataDir)) {
            try (Admin admin = Admin.create(admin(broker))) {
                new TopicBootstrap(admin, (short) 1).ensure(Topics.all());
            }
            try (EventProducer producer = new EventProducer(admin(broker), "test")) {
                producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id()).get();
            }
        }
        try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dataDir)) {
            try (Admin admin = Admin.create(admin(broker))) {
                List<TopicBootstrap.TopicState> states = new TopicBootstrap(admin, (short) 1).inspect(Topics.all());
                assertThat(states).allMatch(s -> s.existed() && s.differences().isEmpty());
            }
            try (var consumer = KafkaTestCluster.consumer(admin(broker),
                    Topics.TASKS_PROPOSED.name())) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                        KafkaTestCluster.poll(consumer).stream().anyMatch(r -> "keep-me".equals(r.key())));
            }
        }
    }
}
