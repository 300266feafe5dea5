package dev.hydra.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TopicBootstrapTest {
    private static KafkaTestCluster kafka;

    @BeforeAll
    static void startBroker() {
        kafka = KafkaTestCluster.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void createsWhatIsMissingIsIdempotentAndReportsDifferencesWithoutChangingThem() throws Exception {
        try (Admin admin = kafka.admin()) {
            // Someone created the DLQ by hand with the wrong layout.
            admin.createTopics(List.of(new NewTopic(Topics.DLQ.name(), 2, (short) 1))).all().get();
            TopicBootstrap bootstrap = new TopicBootstrap(admin, (short) 1);

            List<TopicBootstrap.TopicState> first = bootstrap.ensure(Topics.all());
            assertThat(first).filteredOn(TopicBootstrap.TopicState::created).hasSize(Topics.all().size() - 1);
            TopicBootstrap.TopicState dlq = first.stream().filter(s -> s.topic() == Topics.DLQ).findFirst().orElseThrow();
            assertThat(dlq.created()).isFalse();
            assertThat(dlq.summary()).contains("partitions 2, catalog 1");

            List<TopicBootstrap.TopicState> second = bootstrap.ensure(Topics.all());
            assertThat(second).noneMatch(TopicBootstrap.TopicState::created);
            assertThat(second).filteredOn(s -> !s.differences().isEmpty()).extracting(s -> s.topic().name())
                    .containsExactly(Topics.DLQ.name());
            assertThat(admin.describeTopics(List.of(Topics.DLQ.name())).allTopicNames().get()
                    .get(Topics.DLQ.name()).partitions()).hasSize(2);
            var auditConfig = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, Topics.AUDIT.name()))).all().get();
            assertThat(auditConfig.values().iterator().next().get("retention.ms").value())
                    .isEqualTo(Long.toString(365L * 24 * 3600 * 1000));
        }
    }
}
