package dev.hydra.memory;

import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop of one plain consumer group, at-least-once: offsets are committed only after a
 * batch was handled and {@code afterBatch} (a flush) returned. A value that cannot be parsed is
 * terminal and goes to {@code hydra.dlq}; any other failure is taken as retriable (broker,
 * database, vector store down) and the record is retried with backoff, never skipped.
 */
final class ConsumerLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    @FunctionalInterface
    interface Handler {
        void handle(ConsumerRecord<byte[], byte[]> record) throws Exception;
    }

    private final String name;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Handler handler;
    private final Runnable afterBatch;
    private final EventProducer deadLetters;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean failed;

    ConsumerLoop(String name, Properties clientProps, String groupId, List<? extends Topic<?>> topics,
                 Handler handler, Runnable afterBatch, EventProducer deadLetters) {
        this.name = name;
        this.handler = handler;
        this.afterBatch = afterBatch;
        this.deadLetters = deadLetters;
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + name);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Results of aborted crew transactions must not reach memory.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(topics.stream().map(Topic::name).toList());
        this.thread = new Thread(this::run, "memory-" + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean healthy() {
        return running && !failed && thread.isAlive();
    }

    private void run() {
        long backoffMs = 100;
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
                boolean retry = false;
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    try {
                        handler.handle(record);
                    } catch (InvalidEventException | IllegalArgumentException e) {
                        LOG.warn("{}: {}-{}@{} is invalid, sent to the DLQ: {}", name, record.topic(),
                                record.partition(), record.offset(), e.getMessage());
                        deadLetters.sendRaw(DeadLetters.of(record, e, "memory-projector/" + name));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        LOG.warn("{}: {}-{}@{} failed, retrying in {} ms", name, record.topic(), record.partition(),
                                record.offset(), backoffMs, e);
                        retry = true;
                        break;
                    }
                    handled.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                afterBatch.run();
                deadLetters.flush();
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
                    backoffMs = 100;
                }
            }
        } catch (WakeupException e) {
            // close() was called
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("{}: consumer loop stopped", name, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        running = false;
        stopped.countDown();
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
