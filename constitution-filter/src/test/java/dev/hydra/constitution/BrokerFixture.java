package dev.hydra.constitution;

import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topic;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A filter on a real broker: its configuration, and reading what it committed. */
final class BrokerFixture {
    private BrokerFixture() {
    }

    /** The topics the filter reads and writes: fewer than the whole catalog, so the broker is ready sooner. */
    static final List<Topic<?>> FILTER_TOPICS = List.of(Topics.TASKS_PROPOSED, Topics.TASKS_APPROVED,
            Topics.TASKS_REJECTED, Topics.APPROVAL_REQUESTS, Topics.APPROVAL_DECISIONS, Topics.AUDIT,
            Topics.TOOLCALLS_REQUESTED, Topics.TOOLCALLS_APPROVED, Topics.TOOLCALLS_RESULTS, Topics.TASK_STATUS,
            Topics.DLQ);

    /** A single-node broker with the filter's topics. */
    static KafkaTestCluster cluster() {
        KafkaTestCluster cluster = KafkaTestCluster.start();
        try (Admin admin = cluster.admin()) {
            new TopicBootstrap(admin, (short) 1).ensure(FILTER_TOPICS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return cluster;
    }

    /** A config whose constitution is the test constitution, written to {@code dir}. */
    static HydraConfig config(Path dir) {
        try {
            Path file = dir.resolve("constitution.yaml");
            Files.writeString(file, FilterDriver.testConstitutionYaml(), StandardCharsets.UTF_8);
            return HydraConfig.of("constitution: {file: '" + file.toAbsolutePath() + "', expiryScanInterval: 1s}",
                    Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Client settings of the filter under test. A crashed instance does not leave its group, so the
     * broker's minimum session timeout lets a restarted one take over in seconds instead of 45.
     */
    static Properties clientProps(KafkaTestCluster cluster) {
        Properties props = cluster.clientProps();
        props.put("session.timeout.ms", "6000");
        props.put("heartbeat.interval.ms", "1000");
        return props;
    }

    /** Everything committed to {@code topic} so far, decoded (read_committed, from the beginning). */
    static <V> List<ConsumerRecord<String, V>> committed(KafkaTestCluster cluster, Topic<V> topic) {
        return rawCommitted(cluster, topic.name()).stream().map(r -> decode(topic, r)).toList();
    }

    /** Everything committed to {@code topic} so far, as bytes, read without a consumer group. */
    static List<ConsumerRecord<String, byte[]>> rawCommitted(KafkaTestCluster cluster, String topic) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        TopicReader.read(cluster.clientProps(), topic, java.util.Optional.empty(), Duration.ofSeconds(20),
                out::add);
        return out;
    }

    private static <V> ConsumerRecord<String, V> decode(Topic<V> topic, ConsumerRecord<String, byte[]> raw) {
        V value = topic.valueSerde().deserialize(topic.name(), raw.value());
        return new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(),
                raw.timestampType(), raw.serializedKeySize(), raw.serializedValueSize(), raw.key(), value,
                raw.headers(), raw.leaderEpoch());
    }
}
