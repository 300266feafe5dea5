package dev.hydra.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Recall memory: the full history of one task (proposal, verdicts and audit, routing, status
 * changes, tool calls and their results, results) read back from the retained topics, in time
 * order. A record belongs to the task when its key is the task id, its correlation header names
 * the task, or its value's {@code taskId}/{@code subjectId} is the task id.
 */
public final class RecallMemory {
    /** The topics a task's history lives on, in the order of its life. */
    public static final List<Topic<?>> TOPICS = List.of(Topics.TASKS_PROPOSED, Topics.AUDIT, Topics.TASKS_APPROVED,
            Topics.TASKS_REJECTED, Topics.TASK_STATUS, Topics.TOOLCALLS_REQUESTED, Topics.TOOLCALLS_RESULTS,
            Topics.TASK_RESULTS);
    private static final Duration SCAN_TIMEOUT = Duration.ofSeconds(30);

    /** One record of a task's history. */
    public record Event(String topic, int partition, long offset, Instant timestamp, String type, String key,
                        JsonNode value) {
    }

    private final Properties clientProps;

    public RecallMemory(Properties clientProps) {
        this.clientProps = Objects.requireNonNull(clientProps, "clientProps");
    }

    /** Every record of the task, oldest first; empty when the task is unknown. */
    public List<Event> history(String taskId) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "hydra-memory-recall");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        List<Event> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Topic<?> topic : TOPICS) {
                consumer.partitionsFor(topic.name())
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading the history of " + taskId + " took over " + SCAN_TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (end.get(new TopicPartition(record.topic(), record.partition())) <= record.offset()) {
                        continue; // written after the scan began
                    }
                    JsonNode value = parse(record.value());
                    if (belongs(record, value, taskId)) {
                        events.add(new Event(record.topic(), record.partition(), record.offset(),
                                Instant.ofEpochMilli(record.timestamp()),
                                EventHeaders.get(record.headers(), EventHeaders.TYPE).orElse(""), record.key(), value));
                    }
                }
            }
        }
        events.sort(Comparator.comparing(Event::timestamp).thenComparing(e -> topicOrder(e.topic()))
                .thenComparingLong(Event::offset));
        return events;
    }

    private static boolean belongs(ConsumerRecord<String, byte[]> record, JsonNode value, String taskId) {
        return taskId.equals(record.key())
                || taskId.equals(EventHeaders.get(record.headers(), EventHeaders.CORRELATION_ID).orElse(null))
                || taskId.equals(value.path("taskId").asText(null))
                || taskId.equals(value.path("subjectId").asText(null));
    }

    private static int topicOrder(String topic) {
        for (int i = 0; i < TOPICS.size(); i++) {
            if (TOPICS.get(i).name().equals(topic)) {
                return i;
            }
        }
        return TOPICS.size();
    }

    private static JsonNode parse(byte[] value) {
        if (value == null) {
            return NullNode.getInstance();
        }
        try {
            return Json.MAPPER.readTree(value);
        } catch (IOException e) {
            return TextNode.valueOf(new String(value, StandardCharsets.UTF_8));
        }
    }
}
