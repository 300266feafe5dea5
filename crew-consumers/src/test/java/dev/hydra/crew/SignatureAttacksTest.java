package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.crew.tools.ToolExecutorService;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Json;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker who can write to the broker and read every topic (so holds every signature the
 * filter ever made) tries to get the tool executor and a crew to run what the constitution did not
 * sign for exactly that work. Each attack here is refused; those that get through are in
 * {@link SignatureHolesTest}.
 */
@ExtendWith(TestBroker.class)
class SignatureAttacksTest {
    static final Duration PATIENCE = Duration.ofSeconds(45);
    private static KafkaTestCluster cluster;
    private static EventProducer producer;

    @TempDir
    Path workDir;
    private KafkaConsumer<String, byte[]> answers;
    private final List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();
    private Reports reports;
    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        cluster = TestBroker.get();
        producer = new EventProducer(cluster.clientProps(), "signature-attacks-test");
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
    }

    @BeforeEach
    void skipOldWork() throws Exception {
        Lanes.skipToEnd(cluster, ToolExecutorService.GROUP_ID, List.of(Topics.TOOLCALLS_APPROVED));
        Lanes.skipToEnd(cluster, Crew.INFRASTRUCTURE);
        answers = cluster.consumer(Topics.TOOLCALLS_RESULTS.name(), Topics.DLQ.name());
        reports = new Reports(cluster);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable service : running) {
            service.close();
        }
        answers.close();
        reports.close();
    }

    // --- the tool executor ---

    private ToolExecutorService executor() {
        ToolExecutorService executor = new ToolExecutorService(HydraConfig.of("""
                crews:
                  pollTimeout: 100ms
                  shellTimeout: 20s
                """, Map.of()), cluster.clientProps(), workDir, TestRedactor.OPENAI_KEYS, TestSigning.verifier());
        running.add(executor);
        executor.start();
        return executor;
    }

    private static ToolCall shell(String command) {
        return new ToolCall(UUID.randomUUID().toString(), "task-" + UUID.randomUUID(), Crew.DEVELOPMENT, "coder",
                "shell", "run", Map.of("command", command), List.of(), Instant.parse("2026-12-01T00:00:00Z"));
    }

    private static Headers toolHeaders(String... signatures) {
        Headers headers = EventHeaders.of(Topics.TOOLCALLS_APPROVED, "corr");
        for (String signature : signatures) {
            headers.add(EventHeaders.SIGNATURE, signature.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static String signature(ToolCall call) {
        return EventHeaders.get(TestSigning.signed(call), EventHeaders.SIGNATURE).orElseThrow();
    }

    /** Puts raw bytes on hydra.toolcalls.approved, as any client of the broker can. */
    private static void approveRaw(String key, byte[] value, Headers headers) throws Exception {
        producer.sendRaw(new ProducerRecord<>(Topics.TOOLCALLS_APPROVED.name(), null,
                key.getBytes(StandardCharsets.UTF_8), value, headers)).get();
    }

    private List<ToolResult> resultsOf(String callId) {
        seen.addAll(KafkaTestCluster.poll(answers));
        return seen.stream().filter(r -> r.topic().equals(Topics.TOOLCALLS_RESULTS.name()) && callId.equals(r.key()))
                .map(r -> Topics.TOOLCALLS_RESULTS.valueSerde().deserialize(r.topic(), r.value())).toList();
    }

    private ToolResult onlyResultOf(String callId) {
        await().atMost(PATIENCE).until(() -> !resultsOf(callId).isEmpty());
        return resultsOf(callId).get(0);
    }

    @Test
    void aSignedCallWhoseJsonRepeatsTheCommandKeyWithAnotherValueIsRefused() throws Exception {
        Path root = executor().workspaceRoot();
        ToolCall harmless = shell("echo harmless");
        String json = new String(Json.bytes(harmless), StandardCharsets.UTF_8)
                .replace("\"command\":\"echo harmless\"",
                        "\"command\":\"echo harmless\",\"command\":\"echo pwned > pwned.txt\"");

        approveRaw(harmless.id(), json.getBytes(StandardCharsets.UTF_8), toolHeaders(signature(harmless)));

        assertThat(onlyResultOf(harmless.id()).status()).isEqualTo(ToolStatus.REFUSED);
        assertThat(root.resolve("pwned.txt")).doesNotExist();
    }

    @Test
    void aSignedDryRunCallFlippedToARealRunIsRefused() throws Exception {
        Path root = executor().workspaceRoot();
        ToolCall call = shell("echo ran > dry.txt");
        ToolCall dryRun = call.replayed(call.id(), new Replay("run-1", "orig", true), call.createdAt());
        String flipped = new String(Json.bytes(dryRun), StandardCharsets.UTF_8)
                .replace("\"dryRun\":true", "\"dryRun\":false");
        assertThat(flipped).contains("\"dryRun\":false");

        approveRaw(call.id(), flipped.getBytes(StandardCharsets.UTF_8), toolHeaders(signature(dryRun)));

        assertThat(onlyResultOf(call.id()).status()).isEqualTo(ToolStatus.REFUSED);
        assertThat(root.resolve("dry.txt")).doesNotExist();
    }

    @Test
    void twoSignatureHeadersTheLastForAnotherCallAreRefusedEvenIfTheFirstFits() throws Exception {
        Path root = executor().workspaceRoot();
        ToolCall call = shell("echo ran > two.txt");
        ToolCall decoy = shell("echo decoy");

        approveRaw(call.id(), Json.bytes(call), toolHeaders(signature(call), signature(decoy)));

        ToolResult result = onlyResultOf(call.id());
        assertThat(result.status()).isEqualTo(ToolStatus.REFUSED);
        // neither is read: one reader might take the first, another the last
        assertThat(result.output()).contains("more than one hydra-signature header");
        assertThat(root.resolve("two.txt")).doesNotExist();
    }

    @Test
    void aSignedCallRedeliveredUnderOtherKeysAndHeadersStillRunsOnlyOnce() throws Exception {
        Path root = executor().workspaceRoot();
        ToolCall call = shell("echo ran >> replayed.txt; echo done");

        approveRaw(call.id(), Json.bytes(call), toolHeaders(signature(call)));
        Headers replay = toolHeaders(signature(call));
        replay.add(CrewWorker.ATTEMPT_HEADER, "7".getBytes(StandardCharsets.UTF_8));
        replay.add("hydra-run-id", "run-evil".getBytes(StandardCharsets.UTF_8));
        EventHeaders.put(replay, EventHeaders.CORRELATION_ID, "other-task");
        approveRaw("another-key", Json.bytes(call), replay);

        await().atMost(PATIENCE).until(() -> resultsOf(call.id()).size() == 2);
        assertThat(resultsOf(call.id())).extracting(ToolResult::status).containsOnly(ToolStatus.OK);
        assertThat(Files.readAllLines(root.resolve("replayed.txt"))).containsExactly("ran");
    }

    @Test
    void aSignedTaskPutOnTheApprovedToolCallTopicIsNotATool() throws Exception {
        executor();
        Task task = Tasks.of(Crew.DEVELOPMENT, 2, Map.of("action", "run", "command", "echo pwned"), "run it");
        Headers headers = toolHeaders();
        TestSigning.signed(headers, task);

        approveRaw(task.id(), Json.bytes(task), headers);

        await().atMost(PATIENCE).until(() -> {
            seen.addAll(KafkaTestCluster.poll(answers));
            return seen.stream().anyMatch(r -> r.topic().equals(Topics.DLQ.name()) && task.id().equals(r.key()));
        });
        assertThat(resultsOf(task.id())).noneMatch(r -> r.status() == ToolStatus.OK);
    }

    // --- a crew ---

    private CrewWorker infrastructure() {
        CrewWorker worker = new CrewWorker(HydraConfig.of("""
                crews:
                  concurrency: 1
                  heartbeat: 300ms
                  pollTimeout: 100ms
                services:
                  - name: marker
                    restart: ["sh", "-c", "echo restarted >> marker"]
                    restartTimeout: 10s
                """, Map.of()), cluster.clientProps(), Crew.INFRASTRUCTURE, "node-a", workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier(), TestSigning.crewSigner(Crew.INFRASTRUCTURE), TestSigning.writerVerifier());
        running.add(worker);
        worker.start();
        return worker;
    }

    /** Puts {@code task} on {@code lane} with {@code headers} and an attempt, keyed by {@code key}. */
    static void onLane(EventProducer producer, Topic<Task> lane, String key, Task task, Headers headers, int attempt)
            throws Exception {
        headers.add(CrewWorker.ATTEMPT_HEADER, Integer.toString(attempt).getBytes(StandardCharsets.UTF_8));
        producer.sendRaw(new ProducerRecord<>(lane.name(), null, key.getBytes(StandardCharsets.UTF_8),
                lane.valueSerde().serialize(lane.name(), task), headers)).get();
    }

    static Headers signedFor(Topic<Task> lane, Task task) {
        return TestSigning.signed(EventHeaders.of(lane, task.id()), task);
    }

    private void awaitDeadLetter(String key) {
        await().atMost(PATIENCE).until(() -> reports.poll().deadLetters.stream().anyMatch(r -> key.equals(r.key())));
    }

    @Test
    void aSignedTaskOfAnotherCrewCopiedOntoTheInfrastructureLaneIsNotRun() throws Exception {
        infrastructure();
        Task development = Tasks.of(Crew.DEVELOPMENT, 1, Map.of("action", "restart_service", "service", "marker"),
                "restart marker");
        Topic<Task> lane = Topics.crewLane(Crew.INFRASTRUCTURE, 1);

        onLane(producer, lane, development.id(), development, signedFor(lane, development), 1);

        awaitDeadLetter(development.id());
        assertThat(reports.statesOf(development.id())).doesNotContain(TaskState.CLAIMED);
        assertThat(workDir.resolve("marker")).doesNotExist();
    }

    @Test
    void aForgedCopyUnderTheSameIdAndAHighAttemptDoesNotStopTheSignedTaskFromRunningOnce() throws Exception {
        infrastructure();
        Task task = Tasks.restart("marker", 1);
        Topic<Task> lane = Topics.crewLane(Crew.INFRASTRUCTURE, 1);
        Task forged = task.withText(task.description(), Map.of("action", "restart_service", "service", "other"));

        onLane(producer, lane, task.id(), forged, signedFor(lane, task), 9);
        awaitDeadLetter(task.id());
        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.REFUSED));
        onLane(producer, lane, task.id(), task, signedFor(lane, task), 1);

        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.COMPLETED));
        assertThat(Files.readAllLines(workDir.resolve("marker"))).containsExactly("restarted");
    }

    @Test
    void aCompletedSignedTaskReplayedWithAHigherAttemptDoesNotRepeatItsSideEffect() throws Exception {
        infrastructure();
        Task task = Tasks.restart("marker", 2);
        Topic<Task> lane = Topics.crewLane(Crew.INFRASTRUCTURE, 2);
        onLane(producer, lane, task.id(), task, signedFor(lane, task), 1);
        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.COMPLETED));

        onLane(producer, lane, task.id(), task, signedFor(lane, task), 2);
        Task sentinel = Tasks.of(Crew.INFRASTRUCTURE, 2, Map.of("action", CrewWorker.NOOP_ACTION), "sentinel");
        onLane(producer, lane, task.id(), sentinel, signedFor(lane, sentinel), 1); // same partition, after the replay

        await().atMost(PATIENCE).until(() -> reports.statesOf(sentinel.id()).contains(TaskState.COMPLETED));
        assertThat(Files.readAllLines(workDir.resolve("marker"))).containsExactly("restarted");
    }

    @Test
    void aSignedTaskWhosePayloadCameFromAnotherTaskIsRefused() throws Exception {
        infrastructure();
        Task signed = Tasks.restart("marker", 3);
        Task other = Tasks.restart("marker", 3);
        Task spliced = new Task(other.id(), signed.type(), 3, signed.impact(), signed.description(), signed.crew(),
                signed.task(), signed.resources(), signed.requires(), signed.source(), signed.createdAt());
        Topic<Task> lane = Topics.crewLane(Crew.INFRASTRUCTURE, 3);

        onLane(producer, lane, spliced.id(), spliced, signedFor(lane, signed), 1);

        awaitDeadLetter(spliced.id());
        assertThat(DeadLetters.header(reports.deadLetters.stream().filter(r -> spliced.id().equals(r.key()))
                .findFirst().orElseThrow().headers(), DeadLetters.ERROR)).contains("does not cover");
        assertThat(workDir.resolve("marker")).doesNotExist();
    }
}
