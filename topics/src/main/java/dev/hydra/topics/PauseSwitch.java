package dev.hydra.topics;

import dev.hydra.topics.events.ControlSwitch;
import io.prometheus.client.Gauge;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's pause switch as read from the compacted {@code hydra.control}: {@link #start} reads the
 * topic to its end before returning (a stack that was paused restarts paused), then a
 * {@link TopicReader} follows it, so a pause reaches every reader as soon as the broker hands it out. {@link #paused()} is a field
 * read. The gauge {@code hydra_paused} is 1 while paused. A record that does not parse goes to the DLQ
 * and leaves the switch where it was.
 */
public final class PauseSwitch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PauseSwitch.class);

    private final TopicReader reader;
    private final EventProducer deadLetters;
    private final AtomicReference<Optional<ControlSwitch>> latest = new AtomicReference<>(Optional.empty());
    /** 1 while the stack is paused, as the process's switch last read it. */
    public static final Gauge PAUSED = Gauge.build("hydra_paused",
            "1 while the stack is paused (hydra pause), 0 while it runs").register();

    private PauseSwitch(Properties clientProps, String clientId) {
        this.deadLetters = new EventProducer(clientProps, clientId + "-pause-switch-dlq");
        this.reader = TopicReader.open(clientProps, clientId + "-pause-switch", List.of(Topics.CONTROL.name()),
                TopicReader.Start.beginning());
    }

    /**
     * Reads {@code hydra.control} to its end, then follows it.
     *
     * @throws IllegalStateException if the topic cannot be read within {@code timeout}
     */
    public static PauseSwitch start(Properties clientProps, String clientId, Duration timeout) {
        PauseSwitch pauseSwitch = new PauseSwitch(clientProps, clientId);
        try {
            pauseSwitch.reader.follow(clientId + "-pause-switch", pauseSwitch::apply);
            if (!pauseSwitch.reader.awaitCaughtUp(timeout)) {
                throw new IllegalStateException("could not read " + Topics.CONTROL.name() + " to its end within "
                        + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pauseSwitch.close();
            throw new IllegalStateException("interrupted while reading " + Topics.CONTROL.name(), e);
        } catch (RuntimeException e) {
            pauseSwitch.close();
            throw e;
        }
        PAUSED.set(pauseSwitch.paused() ? 1 : 0);
        pauseSwitch.latest.get().filter(ControlSwitch::on).ifPresent(s -> LOG.warn("the stack is PAUSED (by {} at "
                + "{}{}); hydra resume restarts work", s.by(), s.at(), s.reason().isEmpty() ? "" : ": " + s.reason()));
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

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (!ControlSwitch.PAUSE.equals(record.key()) || record.value() == null) {
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
            // Every process's switch reads the record; the writer's serde refuses such a value, so one here
            // came from a foreign producer and is worth the duplicates.
            deadLetters.sendRaw(new ProducerRecord<>(Topics.DLQ.name(), null,
                    record.key().getBytes(StandardCharsets.UTF_8), record.value(), DeadLetters.headers(record.topic(),
                    record.partition(), record.offset(), e, "pause-switch")));
        }
    }

    @Override
    public void close() {
        reader.close();
        deadLetters.close();
    }
}
