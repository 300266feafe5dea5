package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.TestSigning;
import dev.hydra.topics.signing.WriterSignature;
import dev.hydra.topics.signing.UnverifiedRecordException;
import io.prometheus.client.CollectorRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The infrastructure crew on a real broker: deterministic restarts, priority lanes, DLQ, crash take-over. */
@ExtendWith(TestBroker.class)
class InfrastructureCrewTest {
    private static final Logger LOG = LoggerFactory.getLogger(InfrastructureCrewTest.class);
    private static final Duration PATIENCE = Duration.ofSeconds(45);

    private static KafkaTestCluster cluster;
    private static EventProducer producer;

    @TempDir
    Path workDir;
    private Reports reports;
    private final List<CrewWorker> workers = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        cluster = TestBroker.get();
        producer = new EventProducer(cluster.clientProps(), "infrastructure-crew-test");
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
    }

    @BeforeEach
    void emptyLanesAndReadReports() throws Exception {
        Lanes.skipToEnd(cluster, Crew.INFRASTRUCTURE);
        reports = new Reports(cluster);
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(CrewWorker::close);
        reports.close();
    }

    private HydraConfig config() {
        return config(1);
    }

    private HydraConfig config(int concurrency) {
        return HydraConfig.of("""
                crews:
                  concurrency: %d
                  heartbeat: 300ms
                  pollTimeout: 100ms
                services:
                  - name: marker
                    restart: ["sh", "-c", "echo restarted >> marker"]
                    restartTimeout: 10s
                  - name: slow
                    restart: ["sh", "-c", "sleep 0.15"]
                    restartTimeout: 10s
                  - name: hangs
                    restart: ["sleep", "30"]
                    restartTimeout: 500ms
                  - name: sleeper
                    restart: ["sh", "-c", "echo $$ > sleeper.pid; exec sleep 60"]
                    restartTimeout: 120s
                  - name: chatty
                    restart: ["sh", "-c", "echo connected with key %s"]
                    restartTimeout: 10s
                  - name: gate
                    restart: ["sh", "-c", "while [ ! -f open-gate ]; do sleep 0.05; done"]
                    restartTimeout: 30s
                  - name: once
                    restart: ["sh", "-c", "echo run $HYDRA_IDEMPOTENCY_KEY >> once-marker; while [ ! -f release ]; do sleep 0.05; done"]
                    restartTimeout: 30s
                """.formatted(concurrency, TestRedactor.SECRET), Map.of());
    }

    private CrewWorker worker(String node) {
        return worker(node, 1);
    }

    private CrewWorker worker(String node, int concurrency) {
        CrewWorker worker = new CrewWorker(config(concurrency), cluster.clientProps(), Crew.INFRASTRUCTURE, node,
                workDir, TestRedactor.OPENAI_KEYS, TestSigning.verifier(), TestSigning.crewSigner(Crew.INFRASTRUCTURE), TestSigning.writerVerifier());
        workers.add(worker);
        worker.start();
        return worker;
    }

    private void awaitEnd(String taskId) {
        await().atMost(PATIENCE).until(() -> reports.statesOf(taskId).stream().anyMatch(TaskState::terminal));
    }

    @Test
    void restartServiceRunsTheConfiguredCommandAndReportsCompletion() throws Exception {
        worker("node-a");
        double completedBefore = counter("hydra_tasks_completed_total");
        Task task = Tasks.restart("marker", 1);

        Tasks.submit(producer, task);

        await().atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1);
        assertThat(Files.readString(workDir.resolve("marker"))).isEqualTo("restarted\n");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(reports.statesOf(task.id())).containsSubsequence(TaskState.CLAIMED, TaskState.COMPLETED));
        TaskStatus claimed = reports.statusesOf(task.id()).get(0);
        assertThat(claimed.node()).isEqualTo("node-a");
        assertThat(claimed.attempt()).isEqualTo(1);
        TaskResult result = reports.resultsOf(task.id()).get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(result.action()).isEqualTo("restart_service");
        assertThat(result.node()).isEqualTo("node-a");
        assertThat(result.artefacts()).containsEntry("service", "marker");
        assertThat(counter("hydra_tasks_completed_total")).isEqualTo(completedBefore + 1);
    }

    @Test
    void secretPrintedByARestartCommandIsRedactedInTheResultAndTheStatus() throws Exception {
        worker("node-a");
        Task task = Tasks.restart("chatty", 2);

        Tasks.submit(producer, task);

        await().atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1
                && reports.statesOf(task.id()).contains(TaskState.COMPLETED));
        TaskResult result = reports.resultsOf(task.id()).get(0);
        assertThat(result.summary()).contains("connected with key [REDACTED:openai_api_key]")
                .doesNotContain(TestRedactor.SECRET);
        assertThat(reports.statusesOf(task.id())).filteredOn(s -> s.state() == TaskState.COMPLETED).singleElement()
                .satisfies(s -> assertThat(s.detail()).contains("[REDACTED:openai_api_key]")
                        .doesNotContain(TestRedactor.SECRET));
    }

    @Test
    void workerWithThreeSlotsRunsThreeTasksAtOnceAndTheNextWaitsForAFreeSlot() throws Exception {
        worker("node-a", 3);
        List<Task> gated = List.of(Tasks.restart("gate", 3), Tasks.restart("gate", 3), Tasks.restart("gate", 3),
                Tasks.restart("gate", 3));
        for (Task task : gated) {
            Tasks.submit(producer, task);
        }

        await().atMost(PATIENCE).until(() -> gated.stream().filter(t -> reports.statesOf(t.id())
                .contains(TaskState.CLAIMED)).count() == 3);
        assertThat(gated).as("the fourth waits for a slot, none has finished")
                .filteredOn(t -> !reports.statesOf(t.id()).isEmpty()).hasSize(3)
                .allSatisfy(t -> assertThat(reports.statesOf(t.id())).noneMatch(TaskState::terminal));

        Files.writeString(workDir.resolve("open-gate"), "");
        for (Task task : gated) {
            awaitEnd(task.id());
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(reports.statesOf(task.id())).contains(TaskState.COMPLETED));
        }
    }

    @Test
    void noopTaskCompletesWithoutAModelOrASideEffect() throws Exception {
        worker("node-a");
        Task task = Tasks.of(Crew.INFRASTRUCTURE, 4, Map.of("action", CrewWorker.NOOP_ACTION), "benchmark no-op");

        Tasks.submit(producer, task);

        await().atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1);
        assertThat(reports.resultsOf(task.id()).get(0).summary()).isEqualTo("nothing to do");
        // statuses arrive on their own topic, read by another consumer than the results: wait for them too
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(reports.statesOf(task.id())).containsExactly(TaskState.CLAIMED, TaskState.COMPLETED));
    }

    @Test
    void unknownServiceFailsWithAClearReason() throws Exception {
        worker("node-a");
        Task task = Tasks.restart("no-such-service", 1);

        Tasks.submit(producer, task);

        await().atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(reports.statesOf(task.id())).containsSubsequence(TaskState.CLAIMED, TaskState.FAILED));
        TaskResult result = reports.resultsOf(task.id()).get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.summary()).contains("unknown service 'no-such-service'").contains("marker");
    }

    @Test
    void restartThatOverrunsItsTimeoutIsKilledAndFails() throws Exception {
        worker("node-a");
        Task task = Tasks.restart("hangs", 2);

        Tasks.submit(producer, task);

        await().atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1);
        TaskResult result = reports.resultsOf(task.id()).get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.summary()).contains("timed out after PT0.5S and was killed");
        assertThat(result.durationMs()).isLessThan(10_000);
    }

    @Test
    void anAttemptTheRouterTimedOutIsCancelledOnTheWorkerAndItsCommandKilled() throws Exception {
        worker("node-a");
        Task task = Tasks.restart("sleeper", 2);
        Tasks.submit(producer, task);
        Path pidFile = workDir.resolve("sleeper.pid");
        await("the command runs").atMost(PATIENCE).until(() -> Files.isRegularFile(pidFile)
                && !Files.readString(pidFile).isBlank());
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

        // what the router writes when the attempt's heartbeat or task timeout runs out, signed as it signs
        TaskStatus stopped = new TaskStatus(task.id(), Crew.INFRASTRUCTURE, TaskState.INTERRUPTED, TaskStatus.ROUTER,
                1, "task timeout", Instant.now());
        producer.sendWithHeaders(Topics.TASK_STATUS, task.id(), stopped,
                TestSigning.writerSigned(WriterSignature.ROUTER, Topics.TASK_STATUS, task.id(), stopped)).get();

        await("cancelled on the worker").atMost(PATIENCE).until(() -> reports.statusesOf(task.id()).stream()
                .anyMatch(s -> s.node().equals("node-a") && s.state() == TaskState.INTERRUPTED));
        assertThat(reports.statusesOf(task.id()))
                .filteredOn(s -> s.node().equals("node-a") && s.state() != TaskState.HEARTBEAT)
                .extracting(TaskStatus::state).containsExactly(TaskState.CLAIMED, TaskState.INTERRUPTED);
        assertThat(reports.statusesOf(task.id())).filteredOn(s -> s.state() == TaskState.INTERRUPTED
                && s.node().equals("node-a")).extracting(TaskStatus::detail).first().asString()
                .contains("cancelled on node-a: the router stopped attempt 1");
        await("its command is killed").atMost(PATIENCE)
                .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertThat(reports.resultsOf(task.id())).isEmpty();
    }

    @Test
    void theRoutersStopSignedByAnotherCrewOrByNobodyIsIgnoredByTheWorker() throws Exception {
        worker("node-a");
        Task task = Tasks.restart("gate", 2);
        Tasks.submit(producer, task);
        await("claimed").atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.CLAIMED));

        // the router's stop of attempt 1, written by the research crew with its own key, and unsigned
        TaskStatus forged = new TaskStatus(task.id(), Crew.INFRASTRUCTURE, TaskState.INTERRUPTED, TaskStatus.ROUTER,
                1, "task timeout", Instant.now());
        producer.sendWithHeaders(Topics.TASK_STATUS, task.id(), forged,
                TestSigning.writerSigned(Crew.RESEARCH.wireName(), Topics.TASK_STATUS, task.id(), forged)).get();
        producer.send(Topics.TASK_STATUS, task.id(), forged, task.id()).get();

        // the worker checks for the router's stop on every heartbeat (300 ms): several pass, none stops it
        await("still running").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                reports.statusesOf(task.id()).stream().noneMatch(s -> s.node().equals("node-a")
                        && s.state() == TaskState.INTERRUPTED));
        Files.writeString(workDir.resolve("open-gate"), "");
        await("completed").atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.COMPLETED));
        assertThat(reports.resultsOf(task.id())).extracting(TaskResult::outcome).containsExactly(Outcome.SUCCEEDED);
    }

    @Test
    void taskRequiringACapabilityThisNodeLacksIsHandedBackUnclaimed() throws Exception {
        worker("node-a");
        Task restart = Tasks.restart("marker", 1);
        Task task = new Task(restart.id(), restart.type(), 1, 80, restart.description(), Crew.INFRASTRUCTURE,
                restart.task(), restart.resources(), List.of("vision"), "test", Instant.now());

        Tasks.submit(producer, task);

        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.INTERRUPTED));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(reports.statesOf(task.id())).containsExactly(TaskState.INTERRUPTED));
        assertThat(reports.statusesOf(task.id()).get(0).detail()).contains("lacks the required capabilities [vision]");
        assertThat(workDir.resolve("marker")).doesNotExist();
    }

    @Test
    void malformedTaskGoesToTheDeadLetterQueueAndTheNextTaskStillRuns() throws Exception {
        worker("node-a");
        String lane = Topics.crewLane(Crew.INFRASTRUCTURE, 1).name();
        producer.sendRaw(new ProducerRecord<>(lane, "bad-1".getBytes(StandardCharsets.UTF_8),
                "{\"priority\": 9, \"crew\": \"infrastructure\"".getBytes(StandardCharsets.UTF_8))).get();
        Task next = Tasks.restart("marker", 1);
        Tasks.submit(producer, next);

        await().atMost(PATIENCE).until(() -> reports.resultsOf(next.id()).size() == 1);
        await().atMost(PATIENCE).until(() -> reports.poll().deadLetters.stream()
                .anyMatch(r -> "bad-1".equals(r.key())));
        var letter = reports.deadLetters.stream().filter(r -> "bad-1".equals(r.key())).findFirst().orElseThrow();
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(lane);
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR)).contains("not JSON");
        assertThat(reports.resultsOf(next.id()).get(0).outcome()).isEqualTo(Outcome.SUCCEEDED);
    }

    @Test
    void anUnsignedTaskOnALaneIsRefusedToTheDeadLetterQueueAndNeverClaimed() throws Exception {
        worker("node-a");
        Task forged = Tasks.restart("marker", 1);
        producer.send(Topics.crewLane(Crew.INFRASTRUCTURE, 1), forged.id(), forged, forged.id()).get();

        await().atMost(PATIENCE).until(() -> reports.statesOf(forged.id()).contains(TaskState.REFUSED));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(reports.statesOf(forged.id())).containsExactly(TaskState.REFUSED));
        assertThat(reports.statusesOf(forged.id()).get(0).detail()).contains("no hydra-signature header");
        await().atMost(PATIENCE).until(() -> reports.poll().deadLetters.stream().anyMatch(r -> forged.id().equals(r.key())));
        var letter = reports.deadLetters.stream().filter(r -> forged.id().equals(r.key())).findFirst().orElseThrow();
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR)).contains("no hydra-signature header");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR_CLASS))
                .isEqualTo(UnverifiedRecordException.class.getName());
        assertThat(workDir.resolve("marker")).doesNotExist();
    }

    @Test
    void aSignedTaskAlteredOnItsWayIsRefusedAndTheOriginalStillRuns() throws Exception {
        worker("node-a");
        Task original = Tasks.restart("slow", 1);
        Task altered = new Task(original.id(), original.type(), 1, original.impact(), original.description(),
                original.crew(), Map.of("action", "restart_service", "service", "marker"), original.resources(),
                original.requires(), original.source(), original.createdAt());
        Topic<Task> lane = Topics.crewLane(Crew.INFRASTRUCTURE, 1);
        producer.sendRaw(new ProducerRecord<>(lane.name(), null, altered.id().getBytes(StandardCharsets.UTF_8),
                lane.valueSerde().serialize(lane.name(), altered), TestSigning.signed(original))).get();
        Tasks.submit(producer, original);

        awaitEnd(original.id());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(reports.statesOf(original.id())).containsSubsequence(TaskState.REFUSED, TaskState.CLAIMED,
                TaskState.COMPLETED));
        assertThat(reports.statusesOf(original.id()).get(0).detail()).contains("altered after it was signed");
        assertThat(workDir.resolve("marker")).doesNotExist();
    }

    @Test
    void urgentTaskIsClaimedBeforeTheRestOfALowPriorityBacklog() throws Exception {
        worker("node-a");
        List<Task> backlog = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Task task = Tasks.restart("slow", 4);
            backlog.add(task);
            Tasks.submit(producer, task);
        }
        await().atMost(PATIENCE).until(() -> reports.claims().stream()
                .anyMatch(c -> backlog.stream().anyMatch(t -> t.id().equals(c.taskId()))));

        Task urgent = Tasks.restart("slow", 1);
        Instant submitted = Instant.now();
        Tasks.submit(producer, urgent);

        await().atMost(PATIENCE).until(() -> reports.statesOf(urgent.id()).contains(TaskState.CLAIMED));
        // only this test's tasks: the reports also hold the claims of the tests that ran before it
        Set<String> ours = new HashSet<>();
        backlog.forEach(t -> ours.add(t.id()));
        ours.add(urgent.id());
        List<TaskStatus> claims = reports.claims().stream().filter(c -> ours.contains(c.taskId())).toList();
        TaskStatus urgentClaim = claims.stream().filter(c -> c.taskId().equals(urgent.id())).findFirst().orElseThrow();
        long claimedBefore = claims.stream().filter(c -> c.at().isBefore(urgentClaim.at())).count();
        long overtaking = claims.stream()
                .filter(c -> c.at().isAfter(submitted) && c.at().isBefore(urgentClaim.at())).count();
        LOG.info("P1 claimed {} ms after submission; {} of {} P4 tasks were claimed before it, {} of them after "
                        + "the P1 was submitted", Duration.between(submitted, urgentClaim.at()).toMillis(),
                claimedBefore, backlog.size(), overtaking);
        assertThat(claimedBefore).as("a backlog remained when the P1 arrived").isLessThan(backlog.size() - 2);
        // At most the P4 whose claim raced with the P1's production; the running one finishes first.
        assertThat(overtaking).isLessThanOrEqualTo(1);
        for (Task task : backlog) {
            awaitEnd(task.id());
        }
    }

    @Test
    void urgentTaskIsClaimedBeforeATenThousandTaskBacklog() throws Exception {
        worker("node-a");
        int backlogSize = 10_000;
        Set<String> backlog = new HashSet<>();
        for (int i = 0; i < backlogSize; i++) {
            Task task = Tasks.of(Crew.INFRASTRUCTURE, 4, Map.of("action", CrewWorker.NOOP_ACTION), "queued no-op");
            backlog.add(task.id());
            Tasks.send(producer, task, 1);
        }
        producer.flush();
        await().atMost(PATIENCE).until(() -> reports.claims().stream().anyMatch(c -> backlog.contains(c.taskId())));

        Task urgent = Tasks.of(Crew.INFRASTRUCTURE, 1, Map.of("action", CrewWorker.NOOP_ACTION), "urgent no-op");
        Instant submitted = Instant.now();
        Tasks.submit(producer, urgent);

        await().atMost(PATIENCE).until(() -> reports.statesOf(urgent.id()).contains(TaskState.CLAIMED));
        // only this test's tasks: the reports also hold the claims of the tests that ran before it
        Set<String> ours = new HashSet<>();
        ours.addAll(backlog);
        ours.add(urgent.id());
        List<TaskStatus> claims = reports.claims().stream().filter(c -> ours.contains(c.taskId())).toList();
        TaskStatus urgentClaim = claims.stream().filter(c -> c.taskId().equals(urgent.id())).findFirst().orElseThrow();
        long claimedBefore = claims.stream().filter(c -> backlog.contains(c.taskId()))
                .filter(c -> c.at().isBefore(urgentClaim.at())).count();
        long overtaking = claims.stream().filter(c -> backlog.contains(c.taskId()))
                .filter(c -> c.at().isAfter(submitted) && c.at().isBefore(urgentClaim.at())).count();
        LOG.info("P1 claimed {} ms after submission behind {} queued P4; {} P4 were claimed before it, {} of them "
                        + "after the P1 was submitted", Duration.between(submitted, urgentClaim.at()).toMillis(),
                backlogSize, claimedBefore, overtaking);
        assertThat(claimedBefore).as("P4 claimed before the P1").isLessThan(backlogSize / 2);
        // Only P4s claimed while the P1 was on its way to the worker (one fetch) may go first: a few, not
        // a share of the backlog. Once fetched, the P1 is the next task the worker starts.
        assertThat(overtaking).as("P4 claimed after the P1 was submitted").isLessThan(backlogSize / 100);
    }

    @Test
    void workerKilledMidCommandIsRetriedOnAnotherMemberWithoutRepeatingAnySideEffect() throws Exception {
        CrewWorker a = worker("node-a");
        CrewWorker b = worker("node-b");
        await().atMost(PATIENCE).until(() -> a.assignment().size() + b.assignment().size() == 4 * 6
                && !a.assignment().isEmpty() && !b.assignment().isEmpty());
        Task task = Tasks.restart("once", 1);
        Path marker = workDir.resolve("once-marker");

        Tasks.submit(producer, task);
        await().atMost(PATIENCE).until(() -> Files.exists(marker)
                && reports.statesOf(task.id()).contains(TaskState.CLAIMED));
        String firstNode = reports.statusesOf(task.id()).get(0).node();
        CrewWorker crashed = firstNode.equals("node-a") ? a : b;
        CrewWorker survivor = crashed == a ? b : a;
        crashed.close();

        // The crashed member said INTERRUPTED; the router (played here) answers with the next attempt.
        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.INTERRUPTED));
        Files.createFile(workDir.resolve("release"));
        Tasks.submit(producer, task, 2);

        await().atMost(PATIENCE).until(() -> reports.statusesOf(task.id()).stream()
                .anyMatch(s -> s.attempt() == 2 && s.state() == TaskState.COMPLETED));
        List<TaskStatus> claims = reports.statusesOf(task.id()).stream()
                .filter(s -> s.state() == TaskState.CLAIMED).toList();
        // The redelivered copy of attempt 1 was recognised and skipped; only attempt 2 ran on the survivor.
        assertThat(claims).extracting(s -> s.node() + "#" + s.attempt())
                .containsExactly(firstNode + "#1", survivor.node() + "#2");
        assertThat(Files.readAllLines(marker)).containsExactly(
                "run " + task.id() + "/1/restart:once", "run " + task.id() + "/2/restart:once");
        assertThat(reports.resultsOf(task.id())).extracting(TaskResult::node).containsExactly(survivor.node());
    }

    @Test
    void anIdleLaneWrittenInTransactionsShowsNoLag() throws Exception {
        worker("node-a");
        Task task = Tasks.of(Crew.INFRASTRUCTURE, 2, Map.of("action", CrewWorker.NOOP_ACTION), "transactional no-op");
        String lane = Topics.crewLane(Crew.INFRASTRUCTURE, 2).name();
        Properties props = new Properties();
        props.putAll(cluster.clientProps());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "router-like-" + task.id());
        RecordMetadata written;
        // As the router writes lanes: in a transaction, whose commit marker takes an offset after the task.
        try (KafkaProducer<byte[], byte[]> router = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            router.initTransactions();
            router.beginTransaction();
            written = router.send(new ProducerRecord<>(lane, null, task.id().getBytes(StandardCharsets.UTF_8),
                    Topics.crewLane(Crew.INFRASTRUCTURE, 2).valueSerde().serialize(lane, task),
                    TestSigning.signed(task))).get();
            router.commitTransaction();
        }

        awaitEnd(task.id());
        long end;
        try (var admin = cluster.admin()) {
            TopicPartition partition = new TopicPartition(lane, written.partition());
            end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset();
        }
        assertThat(end).as("the marker follows the task").isEqualTo(written.offset() + 2);
        await().atMost(PATIENCE).until(() -> committed(lane, written.partition()) == end);
    }

    @Test
    void copyOfAnAttemptThatAlreadyRanIsAcknowledgedWithoutRunningAgain() throws Exception {
        worker("node-a");
        Task task = Tasks.restart("marker", 1);
        Tasks.submit(producer, task);
        await().atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1);

        var copy = Tasks.submit(producer, task);

        await().atMost(PATIENCE).until(() -> committed(copy.topic(), copy.partition()) > copy.offset());
        assertThat(Files.readAllLines(workDir.resolve("marker"))).containsExactly("restarted");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(reports.statesOf(task.id())).containsExactly(TaskState.CLAIMED, TaskState.COMPLETED));
    }

    @Test
    void sideEffectStartedByADeadWorkerIsNotRepeatedEvenWithoutItsStatus() throws Exception {
        // A member that died between starting the effect and reporting CLAIMED leaves only its journal line.
        Task task = Tasks.restart("marker", 1);
        StepJournal journal = new StepJournal(workDir.resolve(".hydra").resolve("crew-steps.journal"), "node-dead");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> journal.runOnce(
                StepJournal.stepKey(task.id(), 1, "restart:marker"), () -> {
                    throw new InterruptedException("killed mid-effect");
                }))).isInstanceOf(InterruptedException.class);
        worker("node-a");

        Tasks.submit(producer, task);

        awaitEnd(task.id());
        TaskResult result = reports.resultsOf(task.id()).get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.summary()).contains("started by node-dead").contains("never confirmed").contains("not repeated");
        assertThat(workDir.resolve("marker")).doesNotExist();
    }

    private static long committed(String topic, int partition) throws Exception {
        try (var admin = cluster.admin()) {
            var offsets = admin.listConsumerGroupOffsets(CrewWorker.groupId(Crew.INFRASTRUCTURE))
                    .partitionsToOffsetAndMetadata().get();
            var offset = offsets.get(new TopicPartition(topic, partition));
            return offset == null ? -1 : offset.offset();
        }
    }

    private static double counter(String name) {
        Double value = CollectorRegistry.defaultRegistry.getSampleValue(name, new String[]{"crew"},
                new String[]{"infrastructure"});
        return value == null ? 0 : value;
    }
}
