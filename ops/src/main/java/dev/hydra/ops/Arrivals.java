package dev.hydra.ops;

import dev.hydra.topics.Topics;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * For the benchmark: when each key first appeared on some topics, as a consumer sees it (committed
 * records only). For {@code hydra.tasks.status} only CLAIMED counts, at the time the crew wrote it.
 */
final class Arrivals implements AutoCloseable {
    private final Map<String, Long> seenAt = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private final boolean claims;

    private Arrivals(Properties client, List<String> topics, boolean claims) {
        this.claims = claims;
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(client), new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(topics);
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100)); // joined, positioned at the end: later records all count
        }
        thread = new Thread(() -> watch(consumer), "bench-arrivals-" + topics.get(0));
        thread.setDaemon(true);
        thread.start();
    }

    /** A benchmark reader: its own group, from the end, committed records only, no commits. */
    static Properties consumerProps(Properties client) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "hydra-bench-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    static Arrivals of(Properties client, List<String> topics) {
        return new Arrivals(client, topics, false);
    }

    static Arrivals claims(Properties client) {
        return new Arrivals(client, List.of(Topics.TASK_STATUS.name()), true);
    }

    private void watch(KafkaConsumer<String, byte[]> consumer) {
        try (consumer) {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (!claims) {
                        seenAt.putIfAbsent(record.key(), System.currentTimeMillis());
                        continue;
                    }
                    TaskStatus status = Topics.TASK_STATUS.valueSerde().deserialize(record.topic(), record.value());
                    if (status.state() == TaskState.CLAIMED) {
                        seenAt.putIfAbsent(status.taskId(), record.timestamp());
                    }
                }
            }
        }
    }

    void await(Collection<String> keys, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!seenAt.keySet().containsAll(keys)) {
            if (Instant.now().isAfter(deadline)) {
                long missing = keys.stream().filter(k -> !seenAt.containsKey(k)).count();
                throw new IllegalStateException(missing + " of " + keys.size() + " tasks did not arrive within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    void awaitCount(int count, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (seenAt.size() < count) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(seenAt.size() + " of " + count + " tasks arrived within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    int size() {
        return seenAt.size();
    }

    long countStartingWith(String prefix) {
        return seenAt.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    /** From each send time to its arrival. */
    Latencies latencies(Map<String, Long> sentAt) {
        Latencies latencies = new Latencies();
        sentAt.forEach((id, sent) -> latencies.add(seenAt.get(id) - sent));
        return latencies;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
