package dev.hydra.router;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.StreamsConfigs;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The router topology under TopologyTestDriver, with Hydra-typed inputs and outputs and driven time. */
final class RouterDriver implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-11-24T05:00:00Z");

    private final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> approved;
    private final TestInputTopic<String, byte[]> status;
    private final TestInputTopic<String, byte[]> nodes;
    private final TestOutputTopic<String, byte[]> statusOut;
    private final TestOutputTopic<String, byte[]> dlq;
    private final TestOutputTopic<String, byte[]> results;
    private final List<TaskStatus> statuses = new ArrayList<>();
    private Duration elapsed = Duration.ZERO;

    RouterDriver(Path stateDir, String routerYaml) {
        RouterSettings settings = RouterSettings.from(HydraConfig.of(routerYaml, Map.of()));
        driver = new TopologyTestDriver(RouterTopology.build(settings, TestSigning.verifier(), TestSigning.writerVerifier(),
                TestSigning.writerSigner(dev.hydra.topics.signing.WriterSignature.ROUTER)),
                StreamsConfigs.base("router-test", "127.0.0.1:9", stateDir, 1), T0);
        approved = driver.createInputTopic(Topics.TASKS_APPROVED.name(), new StringSerializer(), new ByteArraySerializer());
        status = driver.createInputTopic(Topics.TASK_STATUS.name(), new StringSerializer(), new ByteArraySerializer());
        nodes = driver.createInputTopic(Topics.CREW_NODES.name(), new StringSerializer(), new ByteArraySerializer());
        statusOut = driver.createOutputTopic(Topics.TASK_STATUS.name(), new StringDeserializer(),
                new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(Topics.DLQ.name(), new StringDeserializer(), new ByteArrayDeserializer());
        results = driver.createOutputTopic(Topics.TASK_RESULTS.name(), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    static Task task(String id, Crew crew, int priority, Map<String, Object> work, List<String> resources,
                     List<String> requires) {
        return new Task(id, null, priority, 50, "test task " + id, crew, work, resources, requires, "test", T0);
    }

    static Task task(String id, Crew crew, int priority, String action, String service) {
        return task(id, crew, priority, Map.of("action", action, "service", service), List.of(), List.of());
    }

    Instant now() {
        return T0.plus(elapsed);
    }

    /** An approved task as the constitution filter writes it: with its signature header. */
    void approve(Task task) {
        approveSigned(task);
    }

    void approveSigned(Task task) {
        approved.pipeInput(new TestRecord<>(task.id(), Topics.TASKS_APPROVED.valueSerde().serialize("", task),
                TestSigning.signed(task), now()));
    }

    /** A record written to hydra.tasks.approved by someone other than the filter: no signature. */
    void approveUnsigned(Task task) {
        approved.pipeInput(task.id(), Topics.TASKS_APPROVED.valueSerde().serialize("", task), now());
    }

    /** Any record on hydra.tasks.approved: key, bytes (null for a tombstone) and headers as given. */
    void approvedRaw(TestRecord<String, byte[]> record) {
        approved.pipeInput(record);
    }

    void approveRaw(String key, String json) {
        approved.pipeInput(key, json.getBytes(StandardCharsets.UTF_8), now());
    }

    /** A crew's status for a task. */
    void report(Task task, TaskState state, int attempt) {
        TaskStatus value = new TaskStatus(task.id(), task.crew(), state, "node-a", attempt, "", now());
        status.pipeInput(new TestRecord<>(task.id(),
                Topics.TASK_STATUS.valueSerde().serialize("", value),
                TestSigning.writerSigned(task.crew().wireName(), Topics.TASK_STATUS, task.id(), value), now()));
    }

    /** A status as any writer may put it on the topic: these headers, this key. */
    void reportRaw(String key, TaskStatus value, org.apache.kafka.common.header.Headers headers) {
        status.pipeInput(new TestRecord<>(key,
                Topics.TASK_STATUS.valueSerde().serialize("", value), headers, now()));
    }

    void announce(String node, Crew crew, List<String> capabilities) {
        announce(node, crew, capabilities, NodeAnnouncement.Health.UP);
    }

    void announce(String node, Crew crew, List<String> capabilities, NodeAnnouncement.Health health) {
        NodeAnnouncement value = new NodeAnnouncement(node, crew, List.of("model"), capabilities, now(), health,
                health == NodeAnnouncement.Health.UP ? "" : "model endpoint down");
        nodes.pipeInput(node, Topics.CREW_NODES.valueSerde().serialize("", value), now());
    }

    /** Moves the wall clock, firing the router's checks. */
    void advance(Duration by) {
        elapsed = elapsed.plus(by);
        driver.advanceWallClockTime(by);
    }

    /** Tasks published to a lane since the last call, with their headers. */
    List<TestRecord<String, byte[]>> lane(Crew crew, int priority) {
        return driver.createOutputTopic(Topics.crewLane(crew, priority).name(), new StringDeserializer(),
                new ByteArrayDeserializer()).readRecordsToList();
    }

    static Task taskOf(TestRecord<String, byte[]> record) {
        return Topics.TASK.deserialize("", record.value());
    }

    static String header(Headers headers, String name) {
        return EventHeaders.get(headers, name).orElse(null);
    }

    /**
     * Every status the router wrote so far (they also loop back into the router, as on a real
     * broker, because the driver feeds its own output topic to the topology).
     */
    List<TaskStatus> statuses() {
        for (TestRecord<String, byte[]> record : statusOut.readRecordsToList()) {
            statuses.add(Topics.TASK_STATUS.valueSerde().deserialize("", record.value()));
        }
        return statuses;
    }

    List<TaskState> statesOf(Task task) {
        return statuses().stream().filter(s -> s.taskId().equals(task.id())).map(TaskStatus::state).toList();
    }

    List<TestRecord<String, byte[]>> deadLetters() {
        return dlq.readRecordsToList();
    }

    /** Results the router wrote since the last call (for tasks it gave up on). */
    List<TaskResult> results() {
        return results.readValuesToList().stream()
                .map(value -> Topics.TASK_RESULTS.valueSerde().deserialize("", value)).toList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
