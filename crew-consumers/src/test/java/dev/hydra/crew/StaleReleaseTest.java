package dev.hydra.crew;

import static dev.hydra.crew.SignatureAttacksTest.PATIENCE;
import static dev.hydra.crew.SignatureAttacksTest.onLane;
import static dev.hydra.crew.SignatureAttacksTest.signedFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.signing.TestSigning;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signature has no end: the signed lane record of a task that ran is valid for as long as the
 * topics keep it (30 days), while a worker knows what already ran only from the statuses of its
 * lookback ({@code crews.statusLookback}, 7 days). A finished task's record put back on its lane by
 * anyone who kept a copy (every reader of the lane has one) after that window, or a task signed with a
 * creation time in the future, which no window ever covers, ran again on a worker started since.
 */
@ExtendWith(TestBroker.class)
class StaleReleaseTest {
    private static final Topic<Task> LANE = Topics.crewLane(Crew.INFRASTRUCTURE, 2);
    private static KafkaTestCluster cluster;
    private static EventProducer producer;

    @TempDir
    Path workDir;
    private Reports reports;
    private CrewWorker worker;

    @BeforeAll
    static void startBroker() {
        cluster = TestBroker.get();
        producer = new EventProducer(cluster.clientProps(), "stale-release-test");
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
    }

    @BeforeEach
    void start() throws Exception {
        Lanes.skipToEnd(cluster, Crew.INFRASTRUCTURE);
        reports = new Reports(cluster);
        worker = worker();
    }

    private CrewWorker worker() throws Exception {
        CrewWorker started = new CrewWorker(HydraConfig.of("""
                crews:
                  concurrency: 1
                  heartbeat: 300ms
                  pollTimeout: 100ms
                  statusLookback: 3s
                """, Map.of()), cluster.clientProps(), Crew.INFRASTRUCTURE, "node-a", workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier(), TestSigning.crewSigner(Crew.INFRASTRUCTURE), TestSigning.writerVerifier());
        started.start();
        return started;
    }

    @AfterEach
    void stop() {
        worker.close();
        reports.close();
    }

    private static Task noop(String description, Instant createdAt) {
        return new Task(UUID.randomUUID().toString(), "infrastructure", 2, 50, description, Crew.INFRASTRUCTURE,
                Map.of("action", CrewWorker.NOOP_ACTION), List.of(), List.of(), "test", createdAt);
    }

    @Test
    void aFinishedTaskPutBackAfterTheLookbackIsRefusedByAWorkerStartedSince() throws Exception {
        Task task = noop("ran once", Instant.now());
        onLane(producer, LANE, task.id(), task, signedFor(LANE, task), 1);
        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.COMPLETED));

        worker.close();
        Thread.sleep(4_000); // past the 3 s lookback: a new worker does not read that the task ran
        worker = worker();
        onLane(producer, LANE, task.id(), task, signedFor(LANE, task), 2);
        Task sentinel = noop("sentinel", Instant.now());
        onLane(producer, LANE, sentinel.id(), sentinel, signedFor(LANE, sentinel), 1);
        await().atMost(PATIENCE).until(() -> reports.statesOf(sentinel.id()).contains(TaskState.COMPLETED));
        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.REFUSED));

        assertThat(reports.statesOf(task.id())).filteredOn(state -> state == TaskState.CLAIMED)
                .as("claims of the task that ran").hasSize(1);
        assertThat(reports.statusesOf(task.id())).filteredOn(s -> s.state() == TaskState.REFUSED).singleElement()
                .satisfies(s -> assertThat(s.detail()).contains("older than crews.statusLookback"));
    }

    @Test
    void aTaskSignedWithACreationTimeInTheFutureIsRefused() throws Exception {
        Task task = noop("from the future", Instant.now().plus(Duration.ofDays(3)));
        onLane(producer, LANE, task.id(), task, signedFor(LANE, task), 1);
        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.REFUSED));

        assertThat(reports.statesOf(task.id())).doesNotContain(TaskState.CLAIMED, TaskState.COMPLETED);
        assertThat(reports.statusesOf(task.id())).filteredOn(s -> s.state() == TaskState.REFUSED).singleElement()
                .satisfies(s -> assertThat(s.detail()).contains("in the future"));
    }
}
