package dev.hydra.constitution;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Json;
import dev.hydra.topics.StreamsConfigs;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalDecision;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.signing.TestSigning;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The filter's topology in a TopologyTestDriver, with typed inputs and outputs and driven wall-clock time. */
final class FilterDriver implements AutoCloseable {
    static final Instant START = Instant.parse("2026-11-24T05:00:00Z");
    /** approval_timeout of the test constitution. */
    static final Duration TIMEOUT = Duration.ofHours(24);

    final Constitution constitution;
    final TopologyTestDriver driver;
    final List<ApprovalRequest> notified = new ArrayList<>();
    private final Path stateDir;

    FilterDriver() {
        this(testConstitution());
    }

    FilterDriver(Constitution constitution) {
        this.constitution = constitution;
        try {
            this.stateDir = Files.createTempDirectory("constitution-ttd");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.driver = new TopologyTestDriver(
                ConstitutionTopology.build(constitution,
                        new ApprovalPolicy(constitution.approvalTimeout(), Duration.ofSeconds(30)), notified::add,
                        TestSigning.signer(), TestSigning.writerVerifier()),
                StreamsConfigs.base(FilterSettings.APPLICATION_ID, "unused:9092", stateDir, 1), START);
    }

    static String testConstitutionYaml() {
        try (InputStream in = FilterDriver.class.getResourceAsStream("filter-test-constitution.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Constitution testConstitution() {
        return Constitution.parse(testConstitutionYaml(), "filter-test-constitution.yaml");
    }

    // ---- items

    static Task task(String id, Map<String, Object> body) {
        return new Task(id, null, 2, 50, "test task " + id, Crew.INFRASTRUCTURE, body, List.of(), List.of(),
                "test", START);
    }

    static Task harmlessTask(String id) {
        return task(id, Map.of("action", "restart_service", "service", "letta"));
    }

    /**
     * A declared action (the infrastructure crew's agents read every field of task.*) carrying a
     * statement the constitution parks: the constitution reads a task's sql whatever its action.
     */
    static Task dropDatabaseTask(String id) {
        return task(id, Map.of("action", "optimize_inference", "sql", "DROP DATABASE hydra"));
    }

    static ToolCall toolCall(String id, String server, String tool, Map<String, Object> arguments) {
        return new ToolCall(id, "task-of-" + id, Crew.DEVELOPMENT, "coder", server, tool, arguments, List.of(),
                START);
    }

    static ToolCall harmlessToolCall(String id) {
        return toolCall(id, "filesystem-mcp", "read_file", Map.of("path", "/workspace/src/app.py"));
    }

    static ToolCall dropDatabaseToolCall(String id) {
        return toolCall(id, "postgres-mcp", "execute_sql", Map.of("sql", "DROP DATABASE hydra"));
    }

    static ToolCall constitutionWrite(String id) {
        return toolCall(id, "filesystem-mcp", "write_file",
                Map.of("path", "/work/config/constitution.yaml", "content", "immutable_constraints: []"));
    }

    // ---- inputs

    void propose(Task task) {
        raw(Topics.TASKS_PROPOSED).pipeInput(task.id(), Json.bytes(task));
    }

    void request(ToolCall call) {
        // signed by the crew it names, as its worker signs it (WriterCheck refuses anything else)
        raw(Topics.TOOLCALLS_REQUESTED).pipeInput(new org.apache.kafka.streams.test.TestRecord<>(call.id(),
                Json.bytes(call), TestSigning.writerSigned(call.crew().wireName(), Topics.TOOLCALLS_REQUESTED,
                call.id(), call)));
    }

    void decide(ApprovalDecision decision) {
        raw(Topics.APPROVAL_DECISIONS).pipeInput(decision.requestId(), Json.bytes(decision));
    }

    /** What the tool executor reports about a call. */
    void report(ToolResult result) {
        raw(Topics.TOOLCALLS_RESULTS).pipeInput(result.toolCallId(), Json.bytes(result));
    }

    /** What a crew reports about a task, signed by the crew it names (as its worker signs). */
    void status(TaskStatus status) {
        status(status, TestSigning.writerSigned(status.crew().wireName(), Topics.TASK_STATUS, status.taskId(), status));
    }

    /** A status with these headers (signed by someone else, unsigned, …). */
    void status(TaskStatus status, org.apache.kafka.common.header.Headers headers) {
        raw(Topics.TASK_STATUS).pipeInput(new TestRecord<>(status.taskId(), Json.bytes(status), headers));
    }

    TestInputTopic<String, byte[]> raw(Topic<?> topic) {
        return driver.createInputTopic(topic.name(), new StringSerializer(), new ByteArraySerializer());
    }

    void advance(Duration wallClock) {
        driver.advanceWallClockTime(wallClock);
    }

    // ---- outputs (each read drains what was written since the last read of that topic)

    <V> TestOutputTopic<String, V> out(Topic<V> topic) {
        return driver.createOutputTopic(topic.name(), new StringDeserializer(), topic.valueSerde());
    }

    <V> List<TestRecord<String, V>> drain(Topic<V> topic) {
        return out(topic).readRecordsToList();
    }

    /** Dead letters are whatever failed to parse, so they are read as bytes. */
    List<TestRecord<String, byte[]>> deadLetters() {
        return driver.createOutputTopic(Topics.DLQ.name(), new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer()).readRecordsToList();
    }

    <V> List<V> values(Topic<V> topic) {
        return drain(topic).stream().map(TestRecord::value).toList();
    }

    /** Reads the one pending request written since the last read. */
    ApprovalRequest onlyRequest() {
        List<ApprovalRequest> requests = values(Topics.APPROVAL_REQUESTS);
        if (requests.size() != 1) {
            throw new AssertionError("expected one approval request, got " + requests);
        }
        return requests.get(0);
    }

    static String header(TestRecord<String, ?> record, String name) {
        return EventHeaders.get(record.headers(), name).orElse(null);
    }

    static ApprovalDecision approve(ApprovalRequest request, String by) {
        return new ApprovalDecision(request.id(), request.contentSha256(), true, by, "looks fine", START);
    }

    static ApprovalDecision reject(ApprovalRequest request, String by) {
        return new ApprovalDecision(request.id(), request.contentSha256(), false, by, "not today", START);
    }

    static AuditRecord only(List<AuditRecord> audits) {
        if (audits.size() != 1) {
            throw new AssertionError("expected one audit record, got " + audits);
        }
        return audits.get(0);
    }

    @Override
    public void close() {
        driver.close();
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
