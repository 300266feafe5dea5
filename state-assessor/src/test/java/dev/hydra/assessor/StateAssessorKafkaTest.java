package dev.hydra.assessor;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.CdcEvent;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.IterationReport;
import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.StateSnapshot;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.signing.TestSigning;
import dev.hydra.topics.signing.WriterVerifier;
import io.prometheus.client.CollectorRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The assessor against a real broker and real HTTP servers on 127.0.0.1. */
class StateAssessorKafkaTest {
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static KafkaTestCluster kafka;
    private static Vertx vertx;

    private static final WriterVerifier WRITERS = TestSigning.writerVerifier();

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = KafkaTestCluster.start();
        // Only the topics the assessor touches: electing leaders for the whole catalog's partitions
        // would double the broker's warm-up on a loaded machine.
        try (Admin admin = kafka.admin()) {
            new TopicBootstrap(admin, (short) 1).ensure(List.of(Topics.STATE_SNAPSHOTS, Topics.TASKS_PROPOSED,
                    Topics.MEMORY_BLOCKS, Topics.CDC_FEATURES, Topics.CDC_KNOWLEDGE_GAPS, Topics.CDC_SERVICES,
                    Topics.CONTROL, Topics.TASK_RESULTS, Topics.APPROVAL_REQUESTS, Topics.ITERATIONS,
                    Topics.CREW_NODES));
        }
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        kafka.close();
    }

    private static HydraConfig config(String yaml) {
        return config(yaml, "100ms");
    }

    private static HydraConfig config(String yaml, String debounce) {
        return HydraConfig.of("""
                assessor:
                  interval: 1h
                  probeTimeout: 10s          # generous: the first HTTP request of a cold JVM on a loaded machine
                  debounce: %s
                """.formatted(debounce) + yaml, Map.of());
    }

    private static HttpServer httpServer(AtomicInteger status) throws Exception {
        return vertx.createHttpServer().requestHandler(req -> req.response().setStatusCode(status.get()).end())
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static StateSnapshot assess(StateAssessor assessor) throws Exception {
        return assessor.assessNow().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void healthyServiceProposesNothingAndAFailedOneGetsACriticalRestartTask() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        HttpServer server = httpServer(status);
        // Other tests leave change events on the compacted CDC topics; read at start, they would trigger
        // an extra assessment in the middle of this one's three explicit ones. This test is about probes.
        try (StateAssessor assessor = new StateAssessor(config("""
                services:
                  - name: web-a
                    health: http://127.0.0.1:%d/health
                """.formatted(server.actualPort()), "1h"), kafka.clientProps()).trustingWriters(WRITERS)) {
            assessor.start();

            StateSnapshot up = assess(assessor);
            // Other tests register services in Postgres (hydra.cdc.services); this one is about web-a.
            assertThat(up.services()).filteredOn(s -> s.name().equals("web-a")).singleElement()
                    .satisfies(s -> assertThat(s.healthy()).isTrue());
            assertThat(ProposedTasks.described(kafka, "Fix failed service: web-a")).isEmpty();
            assertThat(serviceUp("web-a")).isEqualTo(1.0);

            status.set(503);
            StateSnapshot down = assess(assessor);
            assertThat(down.failedServices()).contains("web-a");
            assertThat(down.services()).filteredOn(s -> s.name().equals("web-a")).extracting(s -> s.detail())
                    .containsExactly("HTTP 503");
            assertThat(serviceUp("web-a")).isEqualTo(0.0);

            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(assess(assessor).failedServices()).as("connection refused").contains("web-a");

            var proposed = ProposedTasks.described(kafka, "Fix failed service: web-a");
            // one episode of the gap (down twice in a row): one task, proposed twice
            String restartId = proposed.get(0).key();
            assertThat(proposed).hasSize(2).allSatisfy(read -> {
                assertThat(read.key()).isEqualTo(restartId);
                assertThat(read.value().id()).isEqualTo(restartId);
                Task task = read.value();
                assertThat(task.priority()).isEqualTo(1);
                assertThat(task.crew()).isEqualTo(Crew.INFRASTRUCTURE);
                assertThat(task.description()).isEqualTo("Fix failed service: web-a");
                assertThat(task.task()).containsEntry("action", "restart_service").containsEntry("service", "web-a");
                assertThat(task.resources()).containsExactly("service:web-a");
                assertThat(task.source()).isEqualTo("state-assessor");
                assertThat(read.correlationId()).contains(restartId);
            });
            assertThat(ProposedTasks.readAll(kafka, Topics.STATE_SNAPSHOTS)).extracting(r -> r.value().id())
                    .contains(up.id(), down.id());
            assertThat(assessor.healthy()).isTrue();
        }
    }

    @Test
    void aPausedAssessorKeepsAssessingButProposesNothingUntilResumed() throws Exception {
        AtomicInteger status = new AtomicInteger(503);
        HttpServer server = httpServer(status);
        try (dev.hydra.topics.EventProducer control = new dev.hydra.topics.EventProducer(kafka.clientProps(), "pause");
             dev.hydra.topics.PauseSwitch pause = dev.hydra.topics.PauseSwitch.start(kafka.clientProps(), "assessor-test",
                     java.time.Duration.ofSeconds(20));
             StateAssessor assessor = new StateAssessor(config("""
                services:
                  - name: web-p
                    health: http://127.0.0.1:%d/health
                """.formatted(server.actualPort()), "1h"), kafka.clientProps()).pausedBy(pause).trustingWriters(WRITERS)) {
            dev.hydra.topics.PauseSwitch.set(control, true, "alice", "maintenance");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(1)).until(pause::paused);
            assessor.start();

            StateSnapshot first = assess(assessor);
            StateSnapshot second = assess(assessor);
            assertThat(first.failedServices()).contains("web-p");
            assertThat(second.failedServices()).contains("web-p");
            assertThat(ProposedTasks.described(kafka, "Fix failed service: web-p")).as("paused: nothing proposed")
                    .isEmpty();
            assertThat(ProposedTasks.readAll(kafka, Topics.STATE_SNAPSHOTS)).extracting(r -> r.value().id())
                    .as("paused: the state is still published").contains(first.id(), second.id());

            dev.hydra.topics.PauseSwitch.set(control, false, "alice", "");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(1)).until(() -> !pause.paused());
            assess(assessor);
            assertThat(ProposedTasks.described(kafka, "Fix failed service: web-p")).as("resumed: the gap is proposed")
                    .hasSize(1);
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServiceThatFailsRecoversAndFailsAgainGetsASecondRestartTask() throws Exception {
        AtomicInteger status = new AtomicInteger(503);
        HttpServer server = httpServer(status);
        try (StateAssessor assessor = new StateAssessor(config("""
                services:
                  - name: web-b
                    health: http://127.0.0.1:%d/health
                """.formatted(server.actualPort()), "1h"), kafka.clientProps()).trustingWriters(WRITERS)) {
            assessor.start();
            assertThat(assess(assessor).failedServices()).contains("web-b");
            assertThat(assess(assessor).failedServices()).contains("web-b");
            status.set(200);
            assertThat(assess(assessor).failedServices()).doesNotContain("web-b");
            status.set(503);
            assertThat(assess(assessor).failedServices()).contains("web-b");

            // records of different tasks may sit on different partitions: count them by task
            Map<String, Long> proposalsPerTask = ProposedTasks.described(kafka, "Fix failed service: web-b").stream()
                    .collect(java.util.stream.Collectors.groupingBy(ProposedTasks.Read::key,
                            java.util.stream.Collectors.counting()));
            // the start's own assessment may also have seen the first failure
            assertThat(proposalsPerTask).as("one task per failure: the first proposed by every assessment that saw "
                    + "it, the second new work proposed once").hasSize(2).containsValue(1L);
            assertThat(proposalsPerTask.values()).anyMatch(n -> n >= 2);
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Dedup holds only while the earlier task is open: a restart that completed while the service stays down. */
    @Test
    void aServiceStillDownAfterItsRestartCompletedGetsANewRestartTask() throws Exception {
        AtomicInteger status = new AtomicInteger(503);
        HttpServer server = httpServer(status);
        try (StateAssessor assessor = new StateAssessor(config("""
                services:
                  - name: web-c
                    health: http://127.0.0.1:%d/health
                """.formatted(server.actualPort()), "1h"), kafka.clientProps()).trustingWriters(WRITERS);
             EventProducer producer = new EventProducer(kafka.clientProps(), "test-restarted",
                     TestSigning.asTheCrewNamed())) {
            assessor.start();
            assertThat(assess(assessor).failedServices()).contains("web-c");
            String first = await().atMost(WITHIN).until(() -> ProposedTasks.described(kafka,
                    "Fix failed service: web-c").stream().map(ProposedTasks.Read::key).distinct().toList(),
                    ids -> ids.size() == 1).get(0);
            assertThat(assess(assessor).failedServices()).contains("web-c");
            assertThat(ProposedTasks.described(kafka, "Fix failed service: web-c")).extracting(ProposedTasks.Read::key)
                    .as("its task is open: the same work").containsOnly(first);

            producer.send(Topics.TASK_RESULTS, first, new TaskResult(first, Crew.INFRASTRUCTURE, "restart_service",
                    Outcome.SUCCEEDED, "restarted web-c", Map.of(), 0, 40, "node-1", null), first).get(10, TimeUnit.SECONDS);
            await().atMost(WITHIN).untilAsserted(() -> {
                assertThat(assess(assessor).failedServices()).contains("web-c");
                assertThat(ProposedTasks.described(kafka, "Fix failed service: web-c").stream()
                        .map(ProposedTasks.Read::key).distinct()).hasSize(2);
            });
            assess(assessor);
            assertThat(ProposedTasks.described(kafka, "Fix failed service: web-c").stream().map(ProposedTasks.Read::key)
                    .distinct()).as("the second restart is open: no third").hasSize(2).contains(first);
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void knowledgeGapInsertedInPostgresBecomesAResearchTaskWithinSeconds() throws Exception {
        String topic = "speculative decoding on 2 GPUs";
        try (StateAssessor assessor = new StateAssessor(config(""), kafka.clientProps(), vertx).trustingWriters(WRITERS);
             EventProducer producer = new EventProducer(kafka.clientProps(), "test-debezium")) {
            assessor.start();
            // after the assessment at start: that one and the change's would both see the gap, as one task
            // id proposed twice, if the change came first
            assess(assessor);

            producer.send(Topics.CDC_KNOWLEDGE_GAPS, "{\"id\":41}", new CdcEvent("knowledge_gaps", "c",
                    Map.of("id", 41), null, Map.of("id", 41, "topic", topic, "resolved", false), "lsn=100"), null)
                    .get(10, TimeUnit.SECONDS);

            await().atMost(WITHIN).untilAsserted(() -> assertThat(
                    ProposedTasks.described(kafka, "Research: " + topic)).singleElement().satisfies(r -> {
                        assertThat(r.value().priority()).isEqualTo(3);
                        assertThat(r.value().crew()).isEqualTo(Crew.RESEARCH);
                        assertThat(r.value().task()).containsEntry("action", "research_topic")
                                .containsEntry("topic", topic);
                    }));

            producer.send(Topics.CDC_KNOWLEDGE_GAPS, "{\"id\":41}", new CdcEvent("knowledge_gaps", "u",
                    Map.of("id", 41), null, Map.of("id", 41, "topic", topic, "resolved", true), "lsn=101"), null)
                    .get(10, TimeUnit.SECONDS);
            await().atMost(WITHIN).untilAsserted(() -> assertThat(assess(assessor).knowledgeGaps())
                    .doesNotContain(topic));
        }
    }

    @Test
    void serviceRegisteredInPostgresIsProbedOverTcpAndRestartedWhenDown() throws Exception {
        NetServer closed = vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int port = closed.actualPort();
        closed.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (StateAssessor assessor = new StateAssessor(config(""), kafka.clientProps(), vertx).trustingWriters(WRITERS);
             EventProducer producer = new EventProducer(kafka.clientProps(), "test-debezium")) {
            assessor.start();

            producer.send(Topics.CDC_SERVICES, "{\"name\":\"vector-db\"}", new CdcEvent("services", "c",
                    Map.of("name", "vector-db"), null, Map.of("name", "vector-db", "health_url",
                    "tcp://127.0.0.1:" + port, "status", "unknown"), "lsn=7"), null).get(10, TimeUnit.SECONDS);

            await().atMost(WITHIN).untilAsserted(() -> assertThat(
                    ProposedTasks.described(kafka, "Fix failed service: vector-db")).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.value().resources()).containsExactly("service:vector-db")));
        }
    }

    @Test
    void technologyNamedInTheResearchFindingsBlockBecomesAnEvaluationTask() throws Exception {
        try (StateAssessor assessor = new StateAssessor(config(""), kafka.clientProps(), vertx).trustingWriters(WRITERS);
             EventProducer producer = new EventProducer(kafka.clientProps(), "test-research-crew")) {
            assessor.start();

            producer.send(Topics.MEMORY_BLOCKS, "research_findings", new MemoryBlock("research_findings",
                    "{\"technologies_to_evaluate\": [{\"name\": \"SGLang\", \"reason\": \"RadixAttention\"}]}",
                    "research", 1, null), null).get(10, TimeUnit.SECONDS);

            await().atMost(WITHIN).untilAsserted(() -> assertThat(
                    ProposedTasks.described(kafka, "Evaluate: SGLang")).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.value().priority()).isEqualTo(4)));
        }
    }

    /**
     * Any crew's principal may write hydra.tasks.results: the development crew, with its own key,
     * writes FAILED results naming research's describe_image (signed by itself, unsigned, and a copy
     * of research's header put twice). None is counted; research's own result, written after them on
     * the same partition, is.
     */
    @Test
    void resultsWhoseWriterSignatureDoesNotVerifyAreNotCountedInTheIterationReports() throws Exception {
        try (StateAssessor assessor = new StateAssessor(config(""), kafka.clientProps(), vertx).trustingWriters(WRITERS);
             EventProducer producer = new EventProducer(kafka.clientProps(), "test-hostile-crew");
             KafkaConsumer<String, byte[]> reports = kafka.consumer(Topics.ITERATIONS.name())) {
            assessor.start();
            List<org.apache.kafka.common.header.Headers> forgeries = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                TaskResult forged = forgedFailure("forged-" + i);
                org.apache.kafka.common.header.Headers headers = switch (i) {
                    case 0, 1 -> TestSigning.writerSigned("development", Topics.TASK_RESULTS, forged.taskId(), forged);
                    case 2 -> dev.hydra.topics.EventHeaders.of(Topics.TASK_RESULTS, forged.taskId());
                    default -> {
                        var twice = TestSigning.writerSigned("research", Topics.TASK_RESULTS, forged.taskId(), forged);
                        twice.add(twice.lastHeader(dev.hydra.topics.EventHeaders.CREW_SIGNATURE));
                        yield twice;
                    }
                };
                forgeries.add(headers);
                send(producer, forged, headers);
            }
            TaskResult honest = new TaskResult("honest-1", Crew.RESEARCH, "summarize_paper", Outcome.SUCCEEDED, "ok",
                    Map.of(), 10, 800, "node-1", null);
            send(producer, honest, TestSigning.writerSigned("research", Topics.TASK_RESULTS, honest.taskId(), honest));
            List<IterationReport> seen = new java.util.ArrayList<>();
            await().atMost(WITHIN).untilAsserted(() -> {
                assess(assessor);
                KafkaTestCluster.poll(reports).forEach(r -> seen.add(
                        Topics.ITERATIONS.valueSerde().deserialize(r.topic(), r.value())));
                assertThat(seen.stream().flatMap(r -> r.actions().stream())
                        .filter(a -> a.action().equals("summarize_paper")).mapToInt(a -> a.completed()).sum())
                        .isEqualTo(1);
            });
            assertThat(seen.stream().flatMap(r -> r.actions().stream()))
                    .noneMatch(a -> a.action().equals("describe_image_forged"));
            assertThat(forgeries).hasSize(4);
            assertThat(ProposedTasks.described(kafka, "Improve: research describe_image_forged")).isEmpty();
        }
    }

    private static TaskResult forgedFailure(String id) {
        return new TaskResult(id, Crew.RESEARCH, "describe_image_forged", Outcome.FAILED, "vision model not loaded",
                Map.of(), 10, 800, "node-1", null);
    }

    /** On partition 0, so the honest result is read after the forged ones. */
    private static void send(EventProducer producer, TaskResult result, org.apache.kafka.common.header.Headers headers)
            throws Exception {
        producer.sendRaw(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.TASK_RESULTS.name(), 0,
                result.taskId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Topics.TASK_RESULTS.valueSerde().serialize(Topics.TASK_RESULTS.name(), result), headers))
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTaskKindFailingRepeatedlyIsReportedAndGivesTheSelfImprovementCrewATask() throws Exception {
        try (StateAssessor assessor = new StateAssessor(config(""), kafka.clientProps(), vertx).trustingWriters(WRITERS);
             EventProducer producer = new EventProducer(kafka.clientProps(), "test-failing-crew",
                     TestSigning.asTheCrewNamed());
             KafkaConsumer<String, byte[]> reports = kafka.consumer(Topics.ITERATIONS.name())) {
            assessor.start();
            // the injected regression: every describe_image task of the research crew fails
            for (int i = 0; i < 3; i++) {
                producer.send(Topics.TASK_RESULTS, "regression-" + i, new TaskResult("regression-" + i, Crew.RESEARCH,
                        "describe_image", Outcome.FAILED, "vision model not loaded on node-1", Map.of(), 10, 800,
                        "node-1", null), "regression-" + i).get(10, TimeUnit.SECONDS);
            }
            List<IterationReport> seen = new java.util.ArrayList<>();
            await().atMost(WITHIN).untilAsserted(() -> {
                assess(assessor);
                KafkaTestCluster.poll(reports).forEach(r -> seen.add(
                        Topics.ITERATIONS.valueSerde().deserialize(r.topic(), r.value())));
                assertThat(seen.stream().flatMap(r -> r.actions().stream())
                        .filter(a -> a.action().equals("describe_image")).mapToInt(a -> a.failed()).sum()).isEqualTo(3);
            });
            IterationReport.ActionStats row = seen.stream().flatMap(r -> r.actions().stream())
                    .filter(a -> a.action().equals("describe_image")).reduce((a, b) -> b).orElseThrow();
            assertThat(row.crew()).isEqualTo(Crew.RESEARCH);
            assertThat(row.consecutiveFailures()).isEqualTo(3);
            assertThat(row.lastFailure()).isEqualTo("vision model not loaded on node-1");

            String[] first = new String[1];
            // proposed by every iteration while the streak lasts, under one id (the router drops the repeats)
            await().atMost(WITHIN).untilAsserted(() -> assertThat(
                    ProposedTasks.described(kafka, "Improve: research describe_image failed 3 times in a row"))
                    .isNotEmpty().allSatisfy(r -> {
                        first[0] = first[0] == null ? r.value().id() : first[0];
                        assertThat(r.value().id()).isEqualTo(first[0]);
                        assertThat(r.value().priority()).isEqualTo(4);
                        assertThat(r.value().crew()).isEqualTo(Crew.SELF_IMPROVEMENT);
                        assertThat(r.value().action()).isEqualTo("analyze_iteration");
                        assertThat(dev.hydra.topics.Json.write(r.value().task())).contains("vision model not loaded");
                    }));
            // still failing in the next iteration: the same episode, under the same id (the router drops the repeat)
            producer.send(Topics.TASK_RESULTS, "regression-3", new TaskResult("regression-3", Crew.RESEARCH,
                    "describe_image", Outcome.FAILED, "vision model not loaded on node-1", Map.of(), 10, 800,
                    "node-1", null), "regression-3").get(10, TimeUnit.SECONDS);
            await().atMost(WITHIN).untilAsserted(() -> {
                assess(assessor);
                assertThat(ProposedTasks.described(kafka, "Improve: research describe_image failed 4 times in a row"))
                        .isNotEmpty().allSatisfy(r -> assertThat(r.value().id()).isEqualTo(first[0]));
            });
        }
    }

    @Test
    void slowInferenceMeasuredByPrometheusBecomesAnOptimizationTask() throws Exception {
        HttpServer prometheus = FakePrometheus.start(vertx, Map.of("inference_p95_query", "2350"));
        try (StateAssessor assessor = new StateAssessor(config("""
                  prometheus:
                    url: http://127.0.0.1:%d
                    queries:
                      inference_latency_p95: inference_p95_query
                """.formatted(prometheus.actualPort())), kafka.clientProps(), vertx).trustingWriters(WRITERS)) {
            assessor.start();

            StateSnapshot snapshot = assess(assessor);

            assertThat(snapshot.metrics()).containsEntry("inference_latency_p95", 2350.0);
            assertThat(ProposedTasks.described(kafka, "Optimize inference latency")).isNotEmpty().allSatisfy(r ->
                    assertThat(r.value().task()).containsEntry("current_value", 2350.0)
                            .containsEntry("target_value", 1500.0));
        } finally {
            prometheus.close();
        }
    }

    @Test
    void slowModelCallsAnnouncedByACrewNodeBecomeAnOptimizationTaskWithoutPrometheus() throws Exception {
        try (StateAssessor assessor = new StateAssessor(config(""), kafka.clientProps(), vertx).trustingWriters(WRITERS);
             EventProducer producer = new EventProducer(kafka.clientProps(), "test-crew-node")) {
            producer.send(Topics.CREW_NODES, "gpu-slow", new NodeAnnouncement("gpu-slow", Crew.RESEARCH,
                    List.of("qwen2.5:72b"), List.of(), Instant.now(), NodeAnnouncement.Health.UP, "", 40, 3_100),
                    null).get(10, TimeUnit.SECONDS);
            producer.send(Topics.CREW_NODES, "gpu-gone", new NodeAnnouncement("gpu-gone", Crew.RESEARCH,
                    List.of("qwen2.5:72b"), List.of(), Instant.now().minus(Duration.ofHours(1)),
                    NodeAnnouncement.Health.UP, "", 40, 9_000), null).get(10, TimeUnit.SECONDS);
            assessor.start();

            await().atMost(WITHIN).untilAsserted(() -> assertThat(assess(assessor).metrics())
                    .as("the live node's p95; a node silent for an hour no longer counts")
                    .containsEntry("inference_latency_p95", 3_100.0));
            assertThat(ProposedTasks.described(kafka, "Optimize inference latency")).anySatisfy(r ->
                    assertThat(r.value().task()).containsEntry("current_value", 3_100.0)
                            .containsEntry("target_value", 1500.0));
        }
    }

    private static Double serviceUp(String service) {
        return CollectorRegistry.defaultRegistry.getSampleValue("hydra_service_up", new String[] {"service"},
                new String[] {service});
    }
}
