package dev.hydra.crew;

import static dev.hydra.crew.ScriptedModelServer.answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.TestSigning;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * A research worker whose model endpoint cannot be reached, next to one whose endpoint answers, on a
 * real broker with the real langchain4j client: the broken one says what to fix, shows DEGRADED,
 * and leaves the crew's lanes to the other.
 */
@ExtendWith(TestBroker.class)
class ModelEndpointDownTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static KafkaTestCluster cluster;
    private static EventProducer producer;

    @TempDir
    Path workDir;
    private Reports reports;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        cluster = TestBroker.get();
        producer = new EventProducer(cluster.clientProps(), "model-endpoint-down-test");
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
    }

    @BeforeEach
    void emptyLanes() throws Exception {
        Lanes.skipToEnd(cluster, Crew.RESEARCH);
        reports = new Reports(cluster);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        reports.close();
    }

    @Test
    void everyResearchTaskCompletesOnTheWorkerWhoseEndpointAnswersWhileTheDeadOneShowsDegraded() throws Exception {
        ScriptedModelServer model = open(new ScriptedModelServer());
        for (int i = 0; i < 3; i++) {
            model.then(answer("sources " + i, 10, 5), answer("analysis " + i, 10, 5), answer("summary " + i, 10, 5));
        }
        CrewWorker up = open(worker("research-up", model.baseUrl()));
        up.start();
        await("the live worker owns the lanes").atMost(PATIENCE).until(() -> !up.assignment().isEmpty());
        String deadUrl = deadEndpoint();
        CrewWorker dead = open(worker("research-dead", deadUrl));

        dead.start();

        assertThat(dead.degraded()).hasValueSatisfying(reason -> assertThat(reason)
                .contains(deadUrl, "HYDRA_LLM_BASE_URL", "--llm-base-url"));
        assertThat(dead.healthy()).as("alive: it announces itself and says why it cannot work").isTrue();
        assertThat(up.degraded()).isEmpty();
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Task task = Tasks.of(Crew.RESEARCH, 3, Map.of("action", "research_topic", "topic", "topic " + i),
                    "Research: topic " + i);
            tasks.add(task);
            Tasks.submit(producer, task);
        }
        for (Task task : tasks) {
            await("result of " + task.id()).atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1);
            TaskResult result = reports.resultsOf(task.id()).get(0);
            assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(result.node()).isEqualTo("research-up");
            assertThat(reports.statusesOf(task.id())).extracting(TaskStatus::node).containsOnly("research-up");
        }
        assertThat(dead.assignment()).isEmpty();
        NodeAnnouncement announced = latestAnnouncement("research-dead", NodeAnnouncement.Health.DEGRADED);
        assertThat(announced.detail()).contains(deadUrl, "HYDRA_LLM_BASE_URL");
        assertThat(latestAnnouncement("research-up", NodeAnnouncement.Health.UP).detail()).isEmpty();
    }

    @Test
    void aTaskWhoseModelIsUnreachableIsHandedBackNamingTheEndpointAndItsRetryGoesToTheCrewmate() throws Exception {
        ScriptedModelServer vanishing = new ScriptedModelServer();
        String url = vanishing.baseUrl();
        CrewWorker alone = open(worker("research-alone", url));
        alone.start();
        await("the worker owns the lanes").atMost(PATIENCE).until(() -> !alone.assignment().isEmpty());
        vanishing.close();
        Task task = Tasks.of(Crew.RESEARCH, 2, Map.of("action", "research_topic", "topic", "retries"),
                "Research: retries");

        Tasks.submit(producer, task);

        await("handed back").atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.INTERRUPTED));
        TaskStatus handedBack = reports.statusesOf(task.id()).stream()
                .filter(s -> s.state() == TaskState.INTERRUPTED).findFirst().orElseThrow();
        assertThat(handedBack.detail()).contains("model endpoint " + url + " is unreachable (connection refused",
                "HYDRA_LLM_BASE_URL", "--llm-base-url");
        assertThat(alone.degraded()).hasValueSatisfying(reason -> assertThat(reason).contains(url));
        // no crewmate is UP: it keeps its lanes, nobody else could run them
        assertThat(alone.assignment()).isNotEmpty();

        ScriptedModelServer model = open(new ScriptedModelServer()
                .then(answer("sources", 10, 5), answer("analysis", 10, 5), answer("summary", 10, 5)));
        CrewWorker crewmate = open(worker("research-crewmate", model.baseUrl()));
        crewmate.start();
        await("the degraded worker stands aside").atMost(PATIENCE)
                .until(() -> alone.assignment().isEmpty() && !crewmate.assignment().isEmpty());
        assertThat(alone.healthNote()).hasValueSatisfying(note -> assertThat(note).contains("standing aside"));

        Tasks.submit(producer, task, 2); // the router's retry

        await("retried on the crewmate").atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1);
        assertThat(reports.resultsOf(task.id()).get(0).node()).isEqualTo("research-crewmate");
        assertThat(reports.statusesOf(task.id())).filteredOn(s -> s.attempt() == 2).extracting(TaskStatus::node)
                .containsOnly("research-crewmate");
    }

    @Test
    void workersWhoseEndpointsAreAllDownKeepSharingTheLanesAndStillRunWhatNeedsNoModel() throws Exception {
        CrewWorker first = open(worker("research-down-1", deadEndpoint()));
        first.start();
        await("the first owns the lanes").atMost(PATIENCE).until(() -> !first.assignment().isEmpty());
        CrewWorker second = open(worker("research-down-2", deadEndpoint()));

        second.start();

        await("both share the lanes").atMost(PATIENCE)
                .until(() -> !first.assignment().isEmpty() && !second.assignment().isEmpty());
        assertThat(first.degraded()).isPresent();
        assertThat(second.degraded()).isPresent();
        Task noop = Tasks.of(Crew.RESEARCH, 3, Map.of("action", CrewWorker.NOOP_ACTION, "target", "t"), "no-op");
        Tasks.submit(producer, noop);
        await("the no-op ran").atMost(PATIENCE).until(() -> reports.resultsOf(noop.id()).size() == 1);
        assertThat(reports.resultsOf(noop.id()).get(0).outcome()).isEqualTo(Outcome.SUCCEEDED);
    }

    private CrewWorker worker(String node, String baseUrl) {
        HydraConfig config = HydraConfig.of("""
                crews:
                  heartbeat: 300ms
                  pollTimeout: 100ms
                  llm: {baseUrl: %s, model: %s, probeInterval: 200ms, timeout: 5s}
                """.formatted(baseUrl, ScriptedModelServer.MODEL), Map.of());
        return new CrewWorker(config, cluster.clientProps(), Crew.RESEARCH, node, workDir.resolve(node),
                TestRedactor.OPENAI_KEYS, TestSigning.verifier(), TestSigning.crewSigner(Crew.RESEARCH), TestSigning.writerVerifier());
    }

    /** An endpoint on 127.0.0.1 where nothing listens: connecting is refused. */
    private static String deadEndpoint() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
        }
    }

    private static NodeAnnouncement latestAnnouncement(String node, NodeAnnouncement.Health health) {
        try (KafkaConsumer<String, byte[]> consumer = cluster.consumer(Topics.CREW_NODES.name())) {
            NodeAnnouncement[] found = new NodeAnnouncement[1];
            await(node + " announced " + health).atMost(PATIENCE).until(() -> {
                for (ConsumerRecord<String, byte[]> r : KafkaTestCluster.poll(consumer)) {
                    if (node.equals(r.key())) {
                        found[0] = Topics.CREW_NODES.valueSerde().deserialize(r.topic(), r.value());
                    }
                }
                return found[0] != null && found[0].health() == health;
            });
            return found[0];
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        open.add(closeable);
        return closeable;
    }
}
