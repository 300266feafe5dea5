package dev.hydra.ops;

import dev.hydra.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from its beginning up to the end offsets seen at the start: the way to look at a
 * compacted topic's current state, or at retained history, without joining a consumer group.
 */
final class TopicSnapshot {
    private TopicSnapshot() {
    }

    /** Calls {@code each} for every committed record of {@code topic}, in offset order per partition. */
    static void read(Properties clientProps, String topic, Duration timeout,
                     BiConsumer<ConsumerRecord<String, byte[]>, Integer> each) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, timeout).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Instant deadline = Instant.now().plus(timeout);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("timed out reading " + topic + " to its end");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(record, record.partition());
                }
            }
        }
    }

    /** The parsed values of a topic, skipping what does not parse (it is in the DLQ already). */
    static <V> List<V> values(Properties clientProps, Topic<V> topic, Duration timeout) {
        List<V> values = new ArrayList<>();
        read(clientProps, topic.name(), timeout, (record, partition) -> {
            try {
                V value = topic.valueSerde().deserialize(topic.name(), record.value());
                if (value != null) {
                    values.add(value);
                }
            } catch (RuntimeException ignored) {
                // Invalid values were dead-lettered by the services; a viewer only shows valid ones.
            }
        });
        return values;
    }
}
