package dev.hydra.assessor;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads everything a catalog topic holds right now, for assertions on what the assessor produced. */
final class ProposedTasks {
    /** One record read back: key, typed value, correlation header. */
    record Read<V>(String key, V value, Optional<String> correlationId) {
    }

    private ProposedTasks() {
    }

    /** Every record of {@code topic} up to its current end, in partition order. */
    static <V> List<Read<V>> readAll(KafkaTestCluster kafka, Topic<V> topic) {
        List<Read<V>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = groupless(kafka)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new Read<>(r.key(), topic.valueSerde().deserialize(r.topic(), r.value()),
                            EventHeaders.get(r.headers(), EventHeaders.CORRELATION_ID)));
                }
            }
        }
        return out;
    }

    /**
     * Without a group: assigned partitions need no coordinator, and closing commits nothing (the
     * first commit would wait for the broker to create __consumer_offsets).
     */
    private static KafkaConsumer<String, byte[]> groupless(KafkaTestCluster kafka) {
        Properties props = kafka.clientProps();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    static <V> List<Read<V>> withKey(KafkaTestCluster kafka, Topic<V> topic, String key) {
        return readAll(kafka, topic).stream().filter(r -> key.equals(r.key())).toList();
    }

    /** The proposed tasks described as {@code description} (each gap's is its own), whatever their episode. */
    static List<Read<dev.hydra.topics.events.Task>> described(KafkaTestCluster kafka, String description) {
        return readAll(kafka, dev.hydra.topics.Topics.TASKS_PROPOSED).stream()
                .filter(r -> description.equals(r.value().description())).toList();
    }
}
