package dev.hydra.crew;

import static dev.hydra.crew.SignatureAttacksTest.PATIENCE;
import static dev.hydra.crew.SignatureAttacksTest.onLane;
import static dev.hydra.crew.SignatureAttacksTest.signedFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.crew.agent.KafkaToolGateway;
import dev.hydra.crew.tools.ToolExecutorService;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on a crew that get through on the current code: each test states what should happen and
 * fails until the hole is closed (see the red-team report for the fix).
 */
@ExtendWith(TestBroker.class)
class SignatureHolesTest {
    private static KafkaTestCluster cluster;
    private static EventProducer producer;

    @TempDir
    Path workDir;
    private Reports reports;
    private CrewWorker worker;

    @BeforeAll
    static void startBroker() {
        cluster = TestBroker.get();
        producer = new EventProducer(cluster.clientProps(), "signature-holes-test");
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
    }

    @BeforeEach
    void start() throws Exception {
        Lanes.skipToEnd(cluster, Crew.INFRASTRUCTURE);
        reports = new Reports(cluster);
        worker = new CrewWorker(HydraConfig.of("""
                crews:
                  concurrency: 1
                  heartbeat: 300ms
                  pollTimeout: 100ms
                """, Map.of()), cluster.clientProps(), Crew.INFRASTRUCTURE, "node-a", workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier(), TestSigning.crewSigner(Crew.INFRASTRUCTURE), TestSigning.writerVerifier());
        worker.start();
    }

    @AfterEach
    void stop() {
        worker.close();
        reports.close();
    }

    /**
     * {@code hydra-attempt} is not signed, so anyone holding a finished task's signed lane record
     * (every consumer of the lane does) can put it back with a higher attempt and the crew claims and
     * runs it again: a second agent run (model tokens, a second round of tool calls, each of which
     * the filter then allows again). The router never retries a task that COMPLETED or FAILED, so a
     * crew should never start one either. (restart_service is spared by the step journal; an agent
     * task is not.)
     */
    @Test
    void aFinishedSignedTaskReplayedWithAHigherAttemptHeaderIsNotClaimedAgain() throws Exception {
        Task task = Tasks.of(Crew.INFRASTRUCTURE, 2, Map.of("action", CrewWorker.NOOP_ACTION), "finished once");
        Topic<Task> lane = Topics.crewLane(Crew.INFRASTRUCTURE, 2);
        onLane(producer, lane, task.id(), task, signedFor(lane, task), 1);
        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.COMPLETED));

        onLane(producer, lane, task.id(), task, signedFor(lane, task), 2);
        Task sentinel = Tasks.of(Crew.INFRASTRUCTURE, 2, Map.of("action", CrewWorker.NOOP_ACTION), "sentinel");
        onLane(producer, lane, task.id(), sentinel, signedFor(lane, sentinel), 1); // same partition, after the replay
        await().atMost(PATIENCE).until(() -> reports.statesOf(sentinel.id()).contains(TaskState.COMPLETED));

        assertThat(reports.statusesOf(task.id())).filteredOn(s -> s.state() == TaskState.CLAIMED)
                .extracting(TaskStatus::attempt).as("claims of the finished task").containsExactly(1);
    }

    /**
     * The executor answers a refused record on hydra.toolcalls.results under the call id the record
     * names, which the forger chose, and it must: the filter audits that refusal from there. So an
     * unsigned copy of a call the agent is waiting for (its id is on hydra.toolcalls.requested) puts a
     * REFUSED under the real call's id; the agent's gateway must not take it for the answer, or the agent
     * carries on believing the call did not run while the constitution's signed release runs it anyway.
     */
    @Test
    void anUnsignedCopyOfAPendingCallDoesNotAnswerTheRealCall() throws Exception {
        Lanes.skipToEnd(cluster, ToolExecutorService.GROUP_ID, List.of(Topics.TOOLCALLS_APPROVED));
        ToolCall call = new ToolCall(UUID.randomUUID().toString(), "task-" + UUID.randomUUID(), Crew.DEVELOPMENT,
                "coder", "shell", "run", Map.of("command", "echo ran > real.txt; echo ran"), List.of(), Instant.now());
        List<ToolResult> published = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> results = cluster.consumer(Topics.TOOLCALLS_RESULTS.name());
             KafkaConsumer<String, byte[]> requested = cluster.consumer(Topics.TOOLCALLS_REQUESTED.name());
             KafkaToolGateway agent = new KafkaToolGateway(cluster.clientProps(), producer, "holes-agent");
             ToolExecutorService executor = new ToolExecutorService(HydraConfig.of("""
                     crews:
                       pollTimeout: 100ms
                     """, Map.of()), cluster.clientProps(), workDir, TestRedactor.OPENAI_KEYS,
                     TestSigning.verifier())) {
            executor.start();
            CompletableFuture<Optional<ToolResult>> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return agent.call(call, PATIENCE);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(PATIENCE).until(() -> KafkaTestCluster.poll(requested).stream()
                    .anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains(call.id())));

            producer.send(Topics.TOOLCALLS_APPROVED, call.id(), call, call.taskId()).get(); // the forger's copy
            await().atMost(PATIENCE).until(() -> {
                for (ConsumerRecord<String, byte[]> r : KafkaTestCluster.poll(results)) {
                    if (call.id().equals(r.key())) {
                        published.add(Topics.TOOLCALLS_RESULTS.valueSerde().deserialize(r.topic(), r.value()));
                    }
                }
                return !published.isEmpty();
            });
            producer.sendWithHeaders(Topics.TOOLCALLS_APPROVED, call.id(), call,
                    TestSigning.signed(EventHeaders.of(Topics.TOOLCALLS_APPROVED, call.taskId()), call)).get();

            Optional<ToolResult> got = answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(published).extracting(ToolResult::status).as("the refusal stays on the topic for the audit")
                    .startsWith(ToolStatus.REFUSED);
            assertThat(got).as("what the agent was told").get().extracting(ToolResult::status).isEqualTo(ToolStatus.OK);
            assertThat(Files.exists(executor.workspaceRoot().resolve("real.txt"))).isTrue();
        }
    }
}
