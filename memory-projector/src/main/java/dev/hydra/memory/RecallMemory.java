package dev.hydra.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topic;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.signing.WriterSigner;
import dev.hydra.topics.signing.WriterVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Recall memory: the full history of one task (proposal, verdicts and audit, routing, status
 * changes, tool calls and their results, results) read back from the retained topics, in time
 * order. A record belongs to the task when its key is the task id, its correlation header names
 * the task, or its value's {@code taskId}/{@code subjectId} is the task id.
 *
 * <p>It is a display: nothing is left out, but a status, result or tool call says in
 * {@link Event#signedBy} who proved they wrote it ({@link WriterVerifier}, as every acting reader
 * checks), or {@code unverified: } and why, so a record a crew wrote in another crew's name is never
 * shown as that crew's.
 */
public final class RecallMemory {
    /** The topics a task's history lives on, in the order of its life. */
    public static final List<Topic<?>> TOPICS = List.of(Topics.TASKS_PROPOSED, Topics.AUDIT, Topics.TASKS_APPROVED,
            Topics.TASKS_REJECTED, Topics.TASK_STATUS, Topics.TOOLCALLS_REQUESTED, Topics.TOOLCALLS_RESULTS,
            Topics.TASK_RESULTS);
    private static final Duration SCAN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * One record of a task's history. {@code signedBy}: on the writer-signed topics the writer whose
     * signature verified (a crew, {@code router}, {@code operator}) or {@code unverified: REASON};
     * empty on the other topics.
     */
    public record Event(String topic, int partition, long offset, Instant timestamp, String type, String key,
                        JsonNode value, String signedBy) {
    }

    static final String UNVERIFIED = "unverified: ";

    private final Properties clientProps;
    private final WriterVerifier writers;

    public RecallMemory(Properties clientProps, WriterVerifier writers) {
        this.clientProps = Objects.requireNonNull(clientProps, "clientProps");
        this.writers = Objects.requireNonNull(writers, "writers");
    }

    /** Every record of the task, oldest first; empty when the task is unknown. */
    public List<Event> history(String taskId) {
        List<Event> events = new ArrayList<>();
        TopicReader.read(clientProps, TOPICS.stream().map(Topic::name).toList(), Optional.empty(), Optional.empty(),
                SCAN_TIMEOUT, record -> {
                    JsonNode value = parse(record.value());
                    if (belongs(record, value, taskId)) {
                        events.add(new Event(record.topic(), record.partition(), record.offset(),
                                Instant.ofEpochMilli(record.timestamp()),
                                EventHeaders.get(record.headers(), EventHeaders.TYPE).orElse(""), record.key(), value,
                                signedBy(record)));
                    }
                    return true;
                });
        events.sort(Comparator.comparing(Event::timestamp).thenComparing(e -> topicOrder(e.topic()))
                .thenComparingLong(Event::offset));
        return events;
    }

    private static boolean belongs(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record, JsonNode value, String taskId) {
        return taskId.equals(record.key())
                || taskId.equals(EventHeaders.get(record.headers(), EventHeaders.CORRELATION_ID).orElse(null))
                || taskId.equals(value.path("taskId").asText(null))
                || taskId.equals(value.path("subjectId").asText(null));
    }

    private String signedBy(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record) {
        if (!WriterSigner.signs(record.topic())) {
            return "";
        }
        Object typed;
        try {
            typed = TOPICS.stream().filter(t -> t.name().equals(record.topic())).findFirst().orElseThrow()
                    .valueSerde().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            return UNVERIFIED + "not a valid " + record.topic() + " record";
        }
        Optional<String> refusal = writers.refusal(record.topic(), record.key(), record.headers(), typed);
        if (refusal.isPresent()) {
            return UNVERIFIED + refusal.get();
        }
        return writers.verifiedWriter(record.topic(), record.key(), record.headers(), typed).orElse(UNVERIFIED);
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
