package dev.hydra.topics;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what a topic holds, without side effects: no consumer group and no commits (assign + seek),
 * committed records only, from the beginning or from a time, up to a time or the end offsets seen at
 * the start (so a busy topic still gives a finite answer). Records arrive in offset order per
 * partition; the reader stops early when {@code each} returns false. Used by the constitution diff,
 * the audit verifier and {@code hydra replay}.
 */
public final class TopicReplay {
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicReplay() {
    }

    public static void read(Properties clientProps, String topic, Optional<Instant> since, Duration timeout,
                            Predicate<ConsumerRecord<String, byte[]>> each) {
        read(clientProps, topic, since, Optional.empty(), timeout, each);
    }

    /** Records produced at or after {@code since} and before {@code until} (by record timestamp). */
    public static void read(Properties clientProps, String topic, Optional<Instant> since, Optional<Instant> until,
                            Duration timeout, Predicate<ConsumerRecord<String, byte[]>> each) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
            if (until.isPresent()) {
                // The first offset at or after `until` ends each partition's range; none means all of it.
                consumer.offsetsForTimes(times(partitions, until.get()), timeout).forEach((partition, first) -> {
                    if (first != null) {
                        end.merge(partition, first.offset(), Math::min);
                    }
                });
            }
            if (since.isPresent()) {
                Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(times(partitions, since.get()),
                        timeout);
                for (TopicPartition partition : partitions) {
                    OffsetAndTimestamp first = from.get(partition);
                    consumer.seek(partition, first == null ? end.get(partition) : first.offset());
                }
            } else {
                consumer.seekToBeginning(partitions);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            while (!end.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " did not finish within " + timeout
                            + "; still behind on " + end.keySet());
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    Long stop = end.get(new TopicPartition(record.topic(), record.partition()));
                    if (stop != null && record.offset() < stop && !each.test(record)) {
                        return;
                    }
                }
                end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            }
        }
    }

    private static Map<TopicPartition, Long> times(List<TopicPartition> partitions, Instant at) {
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, at.toEpochMilli()));
        return times;
    }
}
