package dev.hydra.topics;

import dev.hydra.topics.events.ControlSwitch;
import java.nio.charset.StandardCharsets;
import io.prometheus.client.Gauge;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's pause switch as read from the compacted {@code hydra.control}: {@link #start} reads the
 * topic to its end before returning (a stack that was paused restarts paused), then a daemon thread
 * follows it, so a pause reaches every reader within one poll (100 ms). {@link #paused()} is a field
 * read. The gauge {@code hydra_paused} is 1 while paused. A record that does not parse goes to the DLQ
 * and leaves the switch where it was.
 */
public final class PauseSwitch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PauseSwitch.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final TopicPartition PARTITION = new TopicPartition(Topics.CONTROL.name(), 0);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final EventProducer deadLetters;
    private final AtomicReference<Optional<ControlSwitch>> latest = new AtomicReference<>(Optional.empty());
    /** 1 while the stack is paused, as the process's switch last read it. */
    public static final Gauge PAUSED = Gauge.build("hydra_paused",
            "1 while the stack is paused (hydra pause), 0 while it runs").register();

    private final Thread follower;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    private PauseSwitch(Properties clientProps, String clientId) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-pause-switch");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadLetters = new EventProducer(clientProps, clientId + "-pause-switch-dlq");
        this.follower = new Thread(this::follow, clientId + "-pause-switch");
        this.follower.setDaemon(true);
    }

    /**
     * Reads {@code hydra.control} to its end, then follows it.
     *
     * @throws IllegalStateException if the topic cannot be read within {@code timeout}
     */
    public static PauseSwitch start(Properties clientProps, String clientId, Duration timeout) {
        PauseSwitch pauseSwitch = new PauseSwitch(clientProps, clientId);
        pauseSwitch.catchUp(timeout);
        pauseSwitch.follower.start();
        return pauseSwitch;
    }

    /** True while the stack is paused. */
    public boolean paused() {
        return latest.get().map(ControlSwitch::on).orElse(false);
    }

    /** The last record of the switch, if it was ever flipped. */
    public Optional<ControlSwitch> state() {
        return latest.get();
    }

    /**
     * Flips the switch: publishes to {@code hydra.control} and waits for the broker's acknowledgement.
     * Every running switch sees it within one poll.
     */
    public static ControlSwitch set(EventProducer producer, boolean paused, String by, String reason) {
        ControlSwitch value = new ControlSwitch(ControlSwitch.PAUSE, paused, by, Instant.now(), reason);
        try {
            producer.send(Topics.CONTROL, ControlSwitch.PAUSE, value, "control-" + value.at().toEpochMilli())
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + (paused ? "pausing" : "resuming"), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write " + Topics.CONTROL.name() + ": " + e.getMessage(), e);
        }
        return value;
    }

    private void catchUp(Duration timeout) {
        List<TopicPartition> partitions = List.of(PARTITION);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(PARTITION, timeout) < end.get(PARTITION)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + Topics.CONTROL.name() + " to its end within "
                        + timeout);
            }
            consumer.poll(POLL).forEach(this::apply);
        }
        PAUSED.set(paused() ? 1 : 0);
        latest.get().filter(ControlSwitch::on).ifPresent(s -> LOG.warn("the stack is PAUSED (by {} at {}{}); "
                + "hydra resume restarts work", s.by(), s.at(), s.reason().isEmpty() ? "" : ": " + s.reason()));
    }

    private void follow() {
        try {
            while (running) {
                consumer.poll(POLL).forEach(this::apply);
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (RuntimeException e) {
            LOG.error("the pause switch stopped following {}; the last position stays: {}", Topics.CONTROL.name(),
                    paused() ? "PAUSED" : "running", e);
        } finally {
            consumer.close(Duration.ofSeconds(1));
            stopped.countDown();
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (!ControlSwitch.PAUSE.equals(key) || record.value() == null) {
            return;
        }
        try {
            ControlSwitch value = Topics.CONTROL.valueSerde().deserialize(record.topic(), record.value());
            boolean was = paused();
            latest.set(Optional.of(value));
            PAUSED.set(value.on() ? 1 : 0);
            if (was != value.on()) {
                LOG.info("{} by {}{}", value.on() ? "PAUSED" : "resumed", value.by(),
                        value.reason().isEmpty() ? "" : ": " + value.reason());
            }
        } catch (RuntimeException e) {
            LOG.warn("a record of {} at offset {} does not parse, sent to {}: {}", record.topic(), record.offset(),
                    Topics.DLQ.name(), e.getMessage());
            deadLetters.sendRaw(DeadLetters.of(record, e, "pause-switch"));
        }
    }

    @Override
    public void close() {
        running = false;
        if (follower.isAlive()) {
            consumer.wakeup();
            try {
                stopped.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(Duration.ofSeconds(1));
        }
        deadLetters.close();
    }
}
