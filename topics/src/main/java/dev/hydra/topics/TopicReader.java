package dev.hydra.topics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way Hydra reads whole topics without a consumer group: every partition assigned, no
 * commits, committed records only. Three uses:
 * <ul>
 *   <li>{@link #read}: a finite answer, from the beginning or a time up to a time or the end offsets
 *       seen at the start (a busy topic still gives one), for diffs, audits, replays and viewers;</li>
 *   <li>{@link #catchUp}: a reader kept open and brought up to the end on demand (a ledger asked before
 *       each decision);</li>
 *   <li>{@link #follow}: a reader that tails on its own thread, with {@link #awaitCaughtUp} for a view
 *       that must be complete before it answers.</li>
 * </ul>
 * One error policy: a finite {@link #read} passes on what {@code each} throws (its answer would be
 * wrong); a view ({@link #catchUp}, {@link #follow}) skips a record {@code each} cannot use with a
 * warning naming it (the services dead-letter invalid records; a view only shows valid ones). The
 * broker's retriable errors are retried by the client; anything else ends a follower, and
 * {@link #healthy()} says so.
 */
public final class TopicReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /** Where a reader starts in each partition. */
    public sealed interface Start {
        /** From the first retained record. */
        static Start beginning() {
            return new Beginning();
        }

        /** From the end offsets when the reader opens: only what is written later. */
        static Start end() {
            return new End();
        }

        /** From the first record at or after {@code at} (by record timestamp). */
        static Start since(Instant at) {
            return new Since(at);
        }
    }

    private record Beginning() implements Start {
    }

    private record End() implements Start {
    }

    private record Since(Instant at) implements Start {
    }

    private final String name;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> endAtOpen;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean failed;
    private Thread thread;

    private TopicReader(Properties clientProps, String clientId, Collection<String> topics, Start start,
                        Duration timeout) {
        this.name = clientId;
        Properties props = new Properties();
        props.putAll(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Results of aborted transactions (a crashed router, a crew's failed report) are not history.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, timeout).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
            }
            partitions = List.copyOf(all);
            consumer.assign(partitions);
            // Explicit end offsets, not seekToEnd: a lazily resolved end could skip a record written meanwhile.
            endAtOpen = Map.copyOf(consumer.endOffsets(partitions, timeout));
            seek(start, timeout);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** A reader of {@code topics} positioned at {@code start}; read it with {@link #catchUp} or {@link #follow}. */
    public static TopicReader open(Properties clientProps, String clientId, Collection<String> topics, Start start) {
        return new TopicReader(clientProps, clientId, topics, start, Duration.ofSeconds(30));
    }

    private void seek(Start start, Duration timeout) {
        if (start instanceof Since since) {
            Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(times(since.at()), timeout);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp first = from.get(partition);
                consumer.seek(partition, first == null ? endAtOpen.get(partition) : first.offset());
            }
        } else if (start instanceof End) {
            partitions.forEach(p -> consumer.seek(p, endAtOpen.get(p)));
        } else {
            consumer.seekToBeginning(partitions);
        }
    }

    /**
     * Every committed record of {@code topic} from {@code since} (or the beginning) up to the end offsets
     * seen at the start, in offset order per partition; stops early when {@code each} returns false.
     */
    public static void read(Properties clientProps, String topic, Optional<Instant> since, Duration timeout,
                            Predicate<ConsumerRecord<String, byte[]>> each) {
        read(clientProps, List.of(topic), since, Optional.empty(), timeout, each);
    }

    /** Records of {@code topic} produced at or after {@code since} and before {@code until} (by record timestamp). */
    public static void read(Properties clientProps, String topic, Optional<Instant> since, Optional<Instant> until,
                            Duration timeout, Predicate<ConsumerRecord<String, byte[]>> each) {
        read(clientProps, List.of(topic), since, until, timeout, each);
    }

    /** Records of {@code topics} produced at or after {@code since} and before {@code until} (by record timestamp). */
    public static void read(Properties clientProps, Collection<String> topics, Optional<Instant> since,
                            Optional<Instant> until, Duration timeout, Predicate<ConsumerRecord<String, byte[]>> each) {
        Start start = since.map(Start::since).orElse(Start.beginning());
        try (TopicReader reader = new TopicReader(clientProps, "hydra-read-" + String.join("+", topics), topics, start,
                timeout)) {
            Map<TopicPartition, Long> end = new HashMap<>(reader.endAtOpen);
            // The first offset at or after `until` ends each partition's range; none means all of it.
            until.ifPresent(at -> reader.consumer.offsetsForTimes(reader.times(at), timeout).forEach((partition, first) -> {
                if (first != null) {
                    end.merge(partition, first.offset(), Math::min);
                }
            }));
            reader.readUpTo(end, timeout, true, each);
        }
    }

    /** The parsed values of {@code topic}, oldest first per partition, skipping what does not parse. */
    public static <V> List<V> values(Properties clientProps, Topic<V> topic, Duration timeout) {
        List<V> values = new ArrayList<>();
        read(clientProps, topic.name(), Optional.empty(), timeout, record -> {
            try {
                V value = topic.valueSerde().deserialize(topic.name(), record.value());
                if (value != null) {
                    values.add(value);
                }
            } catch (RuntimeException invalid) {
                // dead-lettered by the service that read it first; a viewer shows only valid values
            }
            return true;
        });
        return values;
    }

    /**
     * Reads up to the end offsets of now, handing each record to {@code each}; returns false when that
     * did not finish within {@code timeout} (the caller decides on what it has read).
     */
    public synchronized boolean catchUp(Duration timeout, Consumer<ConsumerRecord<String, byte[]>> each) {
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
        return readUpTo(end, timeout, false, record -> offer(each, record));
    }

    private boolean readUpTo(Map<TopicPartition, Long> end, Duration timeout, boolean failOnTimeout,
                             Predicate<ConsumerRecord<String, byte[]>> each) {
        long deadline = System.nanoTime() + timeout.toNanos();
        end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
        while (!end.isEmpty()) {
            if (System.nanoTime() > deadline) {
                if (failOnTimeout) {
                    throw new IllegalStateException("reading " + name + " did not finish within " + timeout
                            + "; still behind on " + end.keySet());
                }
                return false;
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                Long stop = end.get(new TopicPartition(record.topic(), record.partition()));
                if (stop != null && record.offset() < stop && !each.test(record)) {
                    return true;
                }
            }
            end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        }
        return true;
    }

    /** A view's record: one that cannot be used is skipped with a warning naming it. */
    private boolean offer(Consumer<ConsumerRecord<String, byte[]>> each, ConsumerRecord<String, byte[]> record) {
        try {
            each.accept(record);
        } catch (RuntimeException e) {
            LOG.warn("{}: skipping {}-{}@{} that cannot be used: {}", name, record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
        return true;
    }

    /**
     * Tails the topics on a daemon thread named {@code threadName}, handing every record to {@code each}
     * (which must be thread-safe towards the caller); {@link #awaitCaughtUp} returns once every record
     * written before the reader opened was handed over.
     */
    public TopicReader follow(String threadName, Consumer<ConsumerRecord<String, byte[]>> each) {
        if (thread != null) {
            throw new IllegalStateException(name + " is already followed");
        }
        thread = new Thread(() -> tail(each), threadName);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void tail(Consumer<ConsumerRecord<String, byte[]>> each) {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                        offer(each, record);
                    }
                    // position() may wait for the broker too: a restart while catching up is waited out alike
                    if (caughtUp.getCount() > 0
                            && partitions.stream().allMatch(p -> consumer.position(p) >= endAtOpen.get(p))) {
                        caughtUp.countDown();
                    }
                } catch (RetriableException e) {
                    LOG.warn("{}: {}; reading on", name, e.toString());
                    Thread.sleep(POLL.toMillis());
                }
            }
        } catch (WakeupException | InterruptException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("{}: reading stopped", name, e);
        } finally {
            running = false;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** True once a follower has handed over everything written before the reader opened. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A follower that still reads (a reader read with {@link #catchUp} is healthy until closed). */
    public boolean healthy() {
        return running && !failed && (thread == null || thread.isAlive());
    }

    private Map<TopicPartition, Long> times(Instant at) {
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, at.toEpochMilli()));
        return times;
    }

    @Override
    public void close() {
        running = false;
        if (thread == null) {
            synchronized (this) {
                consumer.close(Duration.ofSeconds(2));
            }
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
