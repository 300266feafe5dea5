package dev.hydra.topics;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop of one plain consumer group, at least once, with Hydra's one error policy: offsets
 * are committed only after a batch was handled and {@code afterBatch} (a flush) returned; a record
 * the handler calls invalid ({@link InvalidEventException}, {@link IllegalArgumentException}) is
 * terminal and goes to {@code hydra.dlq}; any other failure is taken as retriable (broker, database,
 * vector store, tool server down) and the record is retried with backoff, never skipped.
 *
 * <pre>{@code
 * GroupLoop loop = GroupLoop.group("hydra-memory-projector").topics(Topics.TASK_RESULTS)
 *         .named("results").deadLetters(producer, "memory-projector").afterBatch(producer::flush)
 *         .start(clientProps, this::onRecord);
 * }</pre>
 */
public final class GroupLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLoop.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final long FIRST_BACKOFF_MS = 100;

    /** Handles one record; throws {@link InvalidEventException} for a record that can never be handled. */
    @FunctionalInterface
    public interface Handler {
        void handle(ConsumerRecord<byte[], byte[]> record) throws Exception;
    }

    /** How a loop is set up; {@link #start} opens its consumer and starts its thread. */
    public static final class Builder {
        private final String groupId;
        private List<String> topics = List.of();
        private String name;
        private int maxPollRecords = 200;
        private Duration pollTimeout = Duration.ofMillis(500);
        private Runnable afterBatch = () -> { };
        private EventProducer deadLetters;
        private String source;
        private Duration closeGrace = Duration.ofSeconds(10);

        private Builder(String groupId) {
            this.groupId = Objects.requireNonNull(groupId, "groupId");
            this.name = groupId;
        }

        public Builder topics(Topic<?>... topics) {
            return topicNames(java.util.Arrays.stream(topics).map(Topic::name).toList());
        }

        public Builder topicNames(Collection<String> names) {
            this.topics = List.copyOf(names);
            return this;
        }

        /** The loop's name in logs, its thread and its client id. */
        public Builder named(String name) {
            this.name = name;
            return this;
        }

        /** A small batch for slow handlers: the next poll must come within max.poll.interval.ms. */
        public Builder maxPollRecords(int records) {
            this.maxPollRecords = records;
            return this;
        }

        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = timeout;
            return this;
        }

        /** Runs after each batch and before its commit: a flush of what the handler wrote. */
        public Builder afterBatch(Runnable afterBatch) {
            this.afterBatch = afterBatch;
            return this;
        }

        /** Where invalid records go, and the service named as their consumer in the dead letter. */
        public Builder deadLetters(EventProducer producer, String source) {
            this.deadLetters = producer;
            this.source = source;
            return this;
        }

        /**
         * How long {@link #close} lets a running handler finish before interrupting it (a shell command
         * is killed; its step stays unconfirmed in the journal).
         */
        public Builder closeGrace(Duration grace) {
            this.closeGrace = grace;
            return this;
        }

        public GroupLoop start(Properties clientProps, Handler handler) {
            if (topics.isEmpty() || deadLetters == null) {
                throw new IllegalStateException("group loop " + name + " needs topics and a dead-letter producer");
            }
            GroupLoop loop = new GroupLoop(this, clientProps, Objects.requireNonNull(handler, "handler"));
            loop.thread.start();
            return loop;
        }
    }

    private final Builder settings;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Handler handler;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean failed;

    /** A loop reading as consumer group {@code groupId}. */
    public static Builder group(String groupId) {
        return new Builder(groupId);
    }

    private GroupLoop(Builder settings, Properties clientProps, Handler handler) {
        this.settings = settings;
        this.handler = handler;
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.groupId.equals(settings.name) ? settings.name
                : settings.groupId + "-" + settings.name);
        // Committed only after the batch is durably handled.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Records of aborted transactions (a crashed router or crew) are not work.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(settings.topics);
        this.thread = new Thread(this::run, settings.name);
        thread.setDaemon(true);
    }

    public boolean healthy() {
        return running && !failed && thread.isAlive();
    }

    private void run() {
        long backoffMs = FIRST_BACKOFF_MS;
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout);
                if (records.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
                boolean retry = false;
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    try {
                        handler.handle(record);
                    } catch (InvalidEventException | IllegalArgumentException e) {
                        LOG.warn("{}: {}-{}@{} is invalid, sent to {}: {}", settings.name, record.topic(),
                                record.partition(), record.offset(), Topics.DLQ.name(), e.getMessage());
                        settings.deadLetters.sendRaw(DeadLetters.of(record, e, settings.source));
                    } catch (InterruptedException | InterruptException e) {
                        return;
                    } catch (Exception e) {
                        LOG.warn("{}: {}-{}@{} failed, retrying in {} ms", settings.name, record.topic(),
                                record.partition(), record.offset(), backoffMs, e);
                        retry = true;
                        break;
                    }
                    handled.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                settings.afterBatch.run();
                settings.deadLetters.flush();
                if (!handled.isEmpty()) {
                    consumer.commitSync(handled);
                }
                if (retry) {
                    // Poll the failed record and everything after it again.
                    for (TopicPartition partition : records.partitions()) {
                        OffsetAndMetadata next = handled.get(partition);
                        consumer.seek(partition, next != null ? next.offset()
                                : records.records(partition).get(0).offset());
                    }
                    if (stopped.await(backoffMs, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
                } else {
                    backoffMs = FIRST_BACKOFF_MS;
                }
            }
        } catch (WakeupException | InterruptException e) {
            // close() was called
        } catch (InterruptedException e) {
            // close() gave up waiting for the handler
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("{}: consumer loop stopped", settings.name, e);
        } finally {
            // Cleared so that the consumer still leaves its group cleanly after close() interrupted a handler.
            Thread.interrupted();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Stops the loop: lets the running handler finish for the close grace, then interrupts it. */
    @Override
    public void close() {
        running = false;
        stopped.countDown();
        consumer.wakeup();
        try {
            thread.join(settings.closeGrace.toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(15_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
