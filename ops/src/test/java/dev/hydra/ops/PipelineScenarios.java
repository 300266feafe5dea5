package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.constitution.AuditVerifier;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Json;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolCall;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The walking skeleton on a real broker: the whole stack in one JVM, driven only through Kafka
 * topics and HTTP, the way a user drives it, each client with the credentials its role has.
 * Subclasses say which broker; one that puts credentials in {@code <data dir>/credentials} is
 * secured, and the stack and these clients find them there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PipelineScenarios {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Path dataDir;

    private HydraStack stack;
    /** A service whose health the test switches between up (200) and down (503). */
    private com.sun.net.httpserver.HttpServer flappy;
    private final java.util.concurrent.atomic.AtomicInteger flappyStatus = new java.util.concurrent.atomic.AtomicInteger(200);
    private KafkaConsumer<String, byte[]> observer;
    private final List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();

    /** People with logins: an approver of the constitution, and someone who is not. */
    static final String APPROVER = "admin";
    static final String APPROVER_PASSWORD = "approver-secret-1";
    static final String OUTSIDER = "mallory";
    static final String OUTSIDER_PASSWORD = "outsider-secret-1";

    /** Starts a broker (secured ones keep their credentials under {@code dataDir}) and returns its bootstrap servers. */
    abstract String startBroker(Path dataDir) throws Exception;

    abstract void stopBroker();

    @BeforeAll
    void startStack() throws Exception {
        dataDir = Files.createTempDirectory("hydra-e2e");
        String bootstrap = startBroker(dataDir);
        Logins.put(dataDir.resolve("approvers"), APPROVER, APPROVER_PASSWORD);
        Logins.put(dataDir.resolve("approvers"), OUTSIDER, OUTSIDER_PASSWORD);
        flappy = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        flappy.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(flappyStatus.get(), -1);
            exchange.close();
        });
        flappy.start();
        stack = HydraStack.start(new HydraStack.Options(config(bootstrap, deadPort(), flappy.getAddress().getPort()), dataDir,
                Optional.of(bootstrap), 0, Optional.of(0), List.of(Crew.values())));
        observer = KafkaTestCluster.consumer(stack.clientProps(Principal.ADMIN),
                Topics.all().stream().map(t -> t.name()).toArray(String[]::new));
    }

    /** A configuration whose one service is down (nothing listens on its health port) and one the test flips. */
    static HydraConfig config(String bootstrap, int deadPort, int flappyPort) {
        String yaml = """
                kafka:
                  bootstrap: %s
                services:
                  - name: letta
                    health: http://127.0.0.1:%d/v1/health
                    restart: ["sh", "-c", "echo restarted >> letta-restarts.txt"]
                    restartTimeout: 20s
                  - name: cache
                    restart: ["sh", "-c", "echo restarted >> cache-restarts.txt"]
                    restartTimeout: 20s
                  - name: vault
                    restart: ["sh", "-c", "echo restarted >> vault-restarts.txt"]
                    restartTimeout: 20s
                  - name: flappy
                    health: http://127.0.0.1:%d/health
                    restart: ["sh", "-c", "echo restarted >> flappy-restarts.txt"]
                    restartTimeout: 20s
                """.formatted(bootstrap, deadPort, flappyPort);
        return HydraConfig.of(yaml, Map.of("HYDRA_CONSTITUTION",
                Path.of("../config/constitution.yaml").toAbsolutePath().normalize().toString()));
    }

    static int deadPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @AfterAll
    void stopStack() {
        if (observer != null) {
            observer.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (flappy != null) {
            flappy.stop(0);
        }
        stopBroker();
    }

    private List<ConsumerRecord<String, byte[]>> on(String topic) {
        seen.addAll(KafkaTestCluster.poll(observer));
        return seen.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    /** The value as JSON; a value that is not JSON (the malformed one this test sends) reads as missing. */
    private static JsonNode value(ConsumerRecord<String, byte[]> record) {
        try {
            return Json.parse(new String(record.value(), StandardCharsets.UTF_8));
        } catch (InvalidEventException notJson) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    /** POSTs JSON as a login (null: without one). */
    private HttpResponse<String> post(String path, String json, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.httpPort() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (user != null) {
            request.header("authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFailedServiceIsRestartedByTheInfrastructureCrewAndRecordedInMemory() throws Exception {
        await("P1 restart task for letta proposed").atMost(PATIENCE).until(() -> on(Topics.TASKS_PROPOSED.name())
                .stream().map(PipelineScenarios::value)
                .anyMatch(t -> t.path("task").path("service").asText().equals("letta") && t.path("priority").asInt() == 1));
        String taskId = on(Topics.TASKS_PROPOSED.name()).stream().map(PipelineScenarios::value)
                .filter(t -> t.path("task").path("service").asText().equals("letta")).findFirst().orElseThrow()
                .path("id").asText();

        await("routed to the infrastructure crew's P1 lane").atMost(PATIENCE).until(() ->
                on("hydra.crew.infrastructure.p1").stream().anyMatch(r -> taskId.equals(r.key())));
        await("completed by the crew").atMost(PATIENCE).until(() -> on(Topics.TASK_STATUS.name()).stream()
                .filter(r -> taskId.equals(r.key())).map(PipelineScenarios::value)
                .anyMatch(s -> s.path("state").asText().equals("COMPLETED")));
        try (var files = Files.walk(dataDir.resolve("work"))) {
            Path marker = files.filter(p -> p.getFileName().toString().equals("letta-restarts.txt")).findFirst().orElseThrow();
            assertThat(Files.readString(marker)).contains("restarted");
        }
        await("visible in the infrastructure_health block").atMost(PATIENCE).until(() -> {
            HttpResponse<String> block = get("/api/memory/blocks/infrastructure_health");
            return block.statusCode() == 200 && block.body().contains("letta");
        });
        assertThat(on(Topics.AUDIT.name())).anyMatch(r -> taskId.equals(r.key())
                && value(r).path("verdict").asText().equals("ALLOW"));
    }

    @Test
    void aTaskThatWouldDropADatabaseNeverReachesACrewAndIsAudited() throws Exception {
        HttpResponse<String> accepted = post("/api/tasks", """
                        {"id": "drop-1", "priority": 2, "description": "clean up", "crew": "development",
                         "task": {"action": "complete_feature", "sql": "drop /* tidy */ DATABASE hydra"}}""", OUTSIDER, OUTSIDER_PASSWORD);
        assertThat(accepted.statusCode()).isEqualTo(202);

        await("audited as a constitution violation").atMost(PATIENCE).until(() -> on(Topics.AUDIT.name()).stream()
                .filter(r -> "drop-1".equals(r.key())).map(PipelineScenarios::value)
                .anyMatch(a -> a.path("constraint").asText().equals("never_delete_databases")
                        && !a.path("verdict").asText().equals("ALLOW")));
        assertThat(on(Topics.TASKS_APPROVED.name())).noneMatch(r -> "drop-1".equals(r.key()));
        assertThat(on("hydra.crew.development.p2")).noneMatch(r -> "drop-1".equals(r.key()));
    }

    @Test
    void aMalformedValueGoesToTheDlqAndTheNextGoodValueStillFlows() throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(stack.clientProps(Principal.SUBMITTER),
                new StringSerializer(), new ByteArraySerializer())) {
            // What a kcat user might send by mistake, then what the README documents.
            producer.send(new ProducerRecord<>(Topics.TASKS_PROPOSED.name(), "oops",
                    "{\"priority\": 1, \"crew\": \"infra".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topics.TASKS_PROPOSED.name(), "kcat-1", """
                    {"id": "kcat-1", "priority": 3, "description": "Research: KRaft quorum sizing",
                     "crew": "research", "task": {"action": "research_topic", "topic": "KRaft quorum sizing"}}"""
                    .getBytes(StandardCharsets.UTF_8))).get();
        }
        await("dead-lettered with its position").atMost(PATIENCE).until(() -> on(Topics.DLQ.name()).stream()
                .anyMatch(r -> "oops".equals(r.key())
                        && Topics.TASKS_PROPOSED.name().equals(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC))
                        && DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET) != null
                        && DeadLetters.header(r.headers(), DeadLetters.ERROR).contains("not JSON")));
        await("the good one is routed like any other").atMost(PATIENCE).until(() ->
                on("hydra.crew.research.p3").stream().anyMatch(r -> "kcat-1".equals(r.key())));
    }

    @Test
    void aSecretInAToolsOutputReachesNoTopicButTheAudit() throws Exception {
        // An AWS access key in a file an agent reads: the constitution's own secret rules redact it.
        String key = "AKIAZ7QX3PLM4VN8WRTY";
        Path workspace = dataDir.resolve("work").resolve("workspace");
        Files.createDirectories(workspace);
        Files.writeString(workspace.resolve("deploy.env"), "AWS_ACCESS_KEY_ID=" + key + "\n");
        ToolCall call = new ToolCall("read-secret-1", "task-read-secret", Crew.DEVELOPMENT, "coder", "filesystem-mcp",
                "read_file", Map.of("path", "/workspace/deploy.env"), List.of(), null);
        try (EventProducer producer = new EventProducer(stack.clientProps(Principal.crew(Crew.DEVELOPMENT)), "e2e-agent",
                stack.writerSigner(Crew.DEVELOPMENT.wireName()))) {
            producer.send(Topics.TOOLCALLS_REQUESTED, call.id(), call, call.taskId()).get();
        }

        await("answered on hydra.toolcalls.results").atMost(PATIENCE).until(() ->
                on(Topics.TOOLCALLS_RESULTS.name()).stream().anyMatch(r -> call.id().equals(r.key())));
        JsonNode answer = on(Topics.TOOLCALLS_RESULTS.name()).stream().filter(r -> call.id().equals(r.key()))
                .map(PipelineScenarios::value).findFirst().orElseThrow();
        assertThat(answer.path("status").asText()).isEqualTo("OK");
        assertThat(answer.path("output").asText()).matches("AWS_ACCESS_KEY_ID=\\[REDACTED:[a-z_]+]\n");
        assertThat(on(Topics.TOOLCALLS_RESULTS.name())).noneMatch(r -> new String(r.value(), StandardCharsets.UTF_8)
                .contains(key));
    }

    @Test
    void aToolCallPutStraightOnApprovedIsNeverExecutedAndTheRefusalIsAuditedAndDeadLettered() throws Exception {
        ToolCall forged = new ToolCall("forged-call-1", "task-forged", Crew.DEVELOPMENT, "mallory", "filesystem-mcp",
                "write_file", Map.of("path", "/workspace/forged.txt", "content", "owned"), List.of(), null);
        // An intruder who got past the ACLs (they refuse every principal but the filter here): the
        // signature is the layer beneath, so the test writes as the super user.
        try (EventProducer producer = new EventProducer(stack.clientProps(Principal.ADMIN), "e2e-intruder")) {
            producer.send(Topics.TOOLCALLS_APPROVED, forged.id(), forged, forged.taskId()).get();
        }

        assertRefused(forged.id(), "no hydra-signature header");
        assertThat(on(Topics.TOOLCALLS_RESULTS.name()).stream().filter(r -> forged.id().equals(r.key()))
                .map(r -> value(r).path("status").asText())).containsExactly("REFUSED");
        assertThat(dataDir.resolve("work").resolve("workspace").resolve("forged.txt")).doesNotExist();
    }

    @Test
    void aTaskPutStraightOnACrewLaneIsNeverRunAndTheRefusalIsAuditedAndDeadLettered() throws Exception {
        Task forged = new Task("forged-task-1", null, 1, 90, "Fix failed service: vault", Crew.INFRASTRUCTURE,
                Map.of("action", "restart_service", "service", "vault"), List.of("service:vault"), List.of(),
                "intruder", null);
        try (EventProducer producer = new EventProducer(stack.clientProps(Principal.ADMIN), "e2e-intruder")) {
            producer.send(Topics.crewLane(Crew.INFRASTRUCTURE, 1), forged.id(), forged, forged.id()).get();
        }

        assertRefused(forged.id(), "no hydra-signature header");
        assertThat(on(Topics.TASK_STATUS.name()).stream().filter(r -> forged.id().equals(r.key()))
                .map(r -> value(r).path("state").asText())).containsExactly("REFUSED");
        try (var files = Files.walk(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("vault-restarts.txt");
        }
    }

    @Test
    void aSignedToolCallRunsIsAuditedAsExecutedAndAnAlteredCopyOfItIsRefused() throws Exception {
        Path workspace = dataDir.resolve("work").resolve("workspace");
        Files.createDirectories(workspace);
        Files.writeString(workspace.resolve("notes.txt"), "ship it\n");
        ToolCall call = new ToolCall("signed-call-1", "task-signed", Crew.DEVELOPMENT, "coder", "filesystem-mcp",
                "read_file", Map.of("path", "/workspace/notes.txt"), List.of(), null);
        try (EventProducer producer = new EventProducer(stack.clientProps(), "e2e-agent",
                stack.writerSigner(Crew.DEVELOPMENT.wireName()))) {
            producer.send(Topics.TOOLCALLS_REQUESTED, call.id(), call, call.taskId()).get();
        }
        await("the audit records the verdict, then the execution").atMost(PATIENCE).until(() ->
                auditActions(call.id()).equals(List.of("verdict", "executed")));
        JsonNode executed = audit(call.id()).get(1);
        assertThat(executed.path("reason").asText()).isEqualTo("OK: ship it\n");
        assertThat(executed.path("prevHash").asText()).isEqualTo(audit(call.id()).get(0).path("hash").asText());

        // In flight: the approved record's bytes changed to another tool and path, its signature kept.
        ConsumerRecord<String, byte[]> approved = on(Topics.TOOLCALLS_APPROVED.name()).stream()
                .filter(r -> call.id().equals(r.key())).findFirst().orElseThrow();
        ToolCall altered = new ToolCall(call.id(), call.taskId(), call.crew(), call.agent(), "filesystem-mcp",
                "write_file", Map.of("path", "/workspace/altered.txt", "content", "owned"), List.of(), call.createdAt());
        try (KafkaProducer<String, byte[]> intruder = new KafkaProducer<>(stack.clientProps(Principal.ADMIN), new StringSerializer(),
                new ByteArraySerializer())) {
            intruder.send(new ProducerRecord<>(Topics.TOOLCALLS_APPROVED.name(), null, call.id(),
                    Json.bytes(altered), approved.headers())).get();
        }

        assertRefused(call.id(), "altered after it was signed");
        assertThat(auditActions(call.id())).containsExactly("verdict", "executed", "execution_refused");
        assertThat(workspace.resolve("altered.txt")).doesNotExist();
        assertThat(AuditVerifier.strict().verifyTopic(stack.clientProps(), PATIENCE).intact()).isTrue();
    }

    /** Refused where it would have run: an execution_refused audit record and a dead letter, both with the reason. */
    private void assertRefused(String id, String reason) {
        await("the refusal of " + id + " audited").atMost(PATIENCE).until(() ->
                auditActions(id).contains("execution_refused"));
        assertThat(audit(id)).filteredOn(a -> a.path("action").asText().equals("execution_refused"))
                .singleElement().satisfies(a -> assertThat(a.path("reason").asText()).contains(reason));
        await("the refused record dead-lettered").atMost(PATIENCE).until(() -> on(Topics.DLQ.name()).stream()
                .anyMatch(r -> id.equals(r.key()) && DeadLetters.header(r.headers(), DeadLetters.ERROR).contains(reason)));
    }

    private List<JsonNode> audit(String id) {
        return on(Topics.AUDIT.name()).stream().filter(r -> id.equals(r.key())).map(PipelineScenarios::value).toList();
    }

    private List<String> auditActions(String id) {
        return audit(id).stream().map(a -> a.path("action").asText()).toList();
    }

    @Test
    void aDryRunReplayRedrivesTasksAndToolCallsWithoutRepeatingTheirSideEffects() throws Exception {
        Instant from = Instant.now().minusSeconds(1);
        Task restart = new Task("replay-source-1", "infrastructure", 2, 60, "Restart the cache", Crew.INFRASTRUCTURE,
                Map.of("action", "restart_service", "service", "cache"), List.of("service:cache"), List.of(),
                "e2e", null);
        ToolCall write = new ToolCall("replay-source-call-1", "task-replay-source", Crew.DEVELOPMENT, "coder",
                "filesystem-mcp", "write_file", Map.of("path", "/workspace/replayed.txt", "content", "written once"),
                List.of("path:/workspace/replayed.txt"), null);
        Path written = dataDir.resolve("work").resolve("workspace").resolve("replayed.txt");
        // The task as an outside producer sends it, the call as an agent of the crew does.
        try (EventProducer producer = new EventProducer(stack.clientProps(Principal.SUBMITTER), "e2e-live")) {
            producer.send(Topics.TASKS_PROPOSED, restart.id(), restart, restart.id()).get();
        }
        try (EventProducer producer = new EventProducer(stack.clientProps(Principal.crew(Crew.DEVELOPMENT)), "e2e-agent",
                stack.writerSigner(Crew.DEVELOPMENT.wireName()))) {
            producer.send(Topics.TOOLCALLS_REQUESTED, write.taskId(), write, write.taskId()).get();
        }
        await("the live task completed").atMost(PATIENCE).until(() -> hasStatus(restart.id(), "COMPLETED"));
        await("the live call ran").atMost(PATIENCE).until(() -> Files.exists(written));
        Files.delete(written);
        Path restarts = findUnder(dataDir.resolve("work"), "cache-restarts.txt");
        assertThat(Files.readAllLines(restarts)).containsExactly("restarted");

        assertThat(replay(Topics.TASKS_PROPOSED.name(), from, "dry-1")).isZero();
        assertThat(replay(Topics.TOOLCALLS_REQUESTED.name(), from, "dry-2")).isZero();

        String copy = "dry-1:" + restart.id();
        await("the copy went through the whole pipeline").atMost(PATIENCE).until(() -> hasStatus(copy, "COMPLETED"));
        assertThat(on(Topics.AUDIT.name())).anyMatch(r -> copy.equals(r.key())
                && value(r).path("verdict").asText().equals("ALLOW"));
        await("its result is on the replay topic").atMost(PATIENCE).until(() -> on(Topics.REPLAY_RESULTS.name())
                .stream().anyMatch(r -> copy.equals(r.key())));
        JsonNode result = on(Topics.REPLAY_RESULTS.name()).stream().filter(r -> copy.equals(r.key()))
                .map(PipelineScenarios::value).findFirst().orElseThrow();
        assertThat(result.path("summary").asText()).contains("dry run").contains("not executed");
        assertThat(on(Topics.TASK_RESULTS.name())).noneMatch(r -> copy.equals(r.key()));
        assertThat(Files.readAllLines(restarts)).as("the restart ran once, live").containsExactly("restarted");

        String callCopy = "dry-2:" + write.id();
        await("the copied call was answered").atMost(PATIENCE).until(() -> on(Topics.TOOLCALLS_RESULTS.name())
                .stream().anyMatch(r -> callCopy.equals(r.key())));
        JsonNode answer = on(Topics.TOOLCALLS_RESULTS.name()).stream().filter(r -> callCopy.equals(r.key()))
                .map(PipelineScenarios::value).findFirst().orElseThrow();
        assertThat(answer.path("output").asText()).startsWith("dry run: filesystem-mcp.write_file");
        assertThat(written).as("the write was not repeated").doesNotExist();
    }

    /** {@code hydra replay --dry-run} through the command line; returns its exit code. */
    private int replay(String topic, Instant from, String runId) {
        List<String> args = new java.util.ArrayList<>(List.of("replay", "--config", "../config/hydra.yaml", "--bootstrap",
                stack.bootstrap(), "--topic", topic, "--from", from.toString(), "--dry-run", "--run-id", runId,
                "--data-dir", dataDir.toString()));
        Path cli = dataDir.resolve("credentials").resolve(Principal.CLI.name() + ".properties");
        if (Files.exists(cli)) {
            args.addAll(List.of("--kafka-config", cli.toString()));
        }
        return HydraCli.commandLine().execute(args.toArray(String[]::new));
    }

    private boolean hasStatus(String taskId, String state) {
        return on(Topics.TASK_STATUS.name()).stream().filter(r -> taskId.equals(r.key()))
                .map(PipelineScenarios::value).anyMatch(v -> v.path("state").asText().equals(state));
    }

    private static Path findUnder(Path dir, String name) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        await("healthy").atMost(PATIENCE).until(() -> get("/health").statusCode() == 200);
        assertThat(Json.parse(get("/health").body()).path("status").asText()).isEqualTo("UP");
        await("task counters exposed").atMost(PATIENCE).untilAsserted(() -> assertThat(get("/metrics").body())
                .contains("hydra_tasks_proposed_total", "hydra_tasks_approved_total", "hydra_tasks_rejected_total",
                        "hydra_tasks_completed_total", "jvm_memory_bytes_used"));
    }

    @Test
    void everyMetricThatADashboardOrAlertQueriesIsExposed() throws Exception {
        Path ops = Path.of("").toAbsolutePath();
        StringBuilder queries = new StringBuilder();
        for (JsonNode panel : Json.MAPPER.readTree(ops.resolve("grafana/dashboards/hydra-orchestrator.json").toFile()).path("panels")) {
            panel.path("targets").forEach(target -> queries.append(target.path("expr").asText()).append('\n'));
        }
        JsonNode alerts = dev.hydra.topics.config.HydraConfig.YAML.readTree(ops.resolve("prometheus/alerts.yml").toFile());
        alerts.path("groups").forEach(group -> group.path("rules").forEach(rule ->
                queries.append(rule.path("expr").asText()).append('\n')));
        java.util.Set<String> names = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\bhydra_[a-z0-9_]+").matcher(queries);
        while (m.find()) {
            names.add(m.group());
        }
        assertThat(names).contains("hydra_task_queue_depth", "hydra_tasks_completed_total", "hydra_conflicts_total");
        String scrape = get("/metrics").body();
        // A family shows in the exposition (its TYPE line) from registration on, before its first sample.
        java.util.Set<String> exposed = new java.util.HashSet<>();
        for (String line : scrape.split("\n")) {
            String name = line.startsWith("# TYPE ") ? line.split(" ")[2] : line.split("[ {]")[0];
            exposed.add(name);
            exposed.add(name + "_total");
        }
        assertThat(names).allSatisfy(name -> assertThat(exposed).as("metric %s", name).contains(name));
    }

    @Test
    void changingStateNeedsALoginAndDecidingNeedsAnApprover() throws Exception {
        String task = """
                {"id": "park-api", "priority": 2, "description": "planned migration", "crew": "development",
                 "task": {"action": "complete_feature", "sql": "DROP DATABASE letta_old"}}""";
        HttpResponse<String> anonymous = post("/api/tasks", task, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).hasValue("Basic realm=\"hydra\"");
        assertThat(post("/api/tasks", task, APPROVER, "wrong-password").statusCode()).isEqualTo(401);
        assertThat(post("/api/tasks", task, OUTSIDER, OUTSIDER_PASSWORD).statusCode()).isEqualTo(202);
        await("parked").atMost(PATIENCE).until(() -> requestOf("park-api").isPresent());
        String request = requestOf("park-api").orElseThrow();

        assertThat(post("/api/approvals/" + request + "/approve", "{}", null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> outsider = post("/api/approvals/" + request + "/approve", "{\"reason\": \"me\"}",
                OUTSIDER, OUTSIDER_PASSWORD);
        assertThat(outsider.statusCode()).isEqualTo(403);
        assertThat(Json.parse(outsider.body()).path("error").asText()).contains("mallory is not one of the constitution's approvers");
        HttpResponse<String> impersonating = post("/api/approvals/" + request + "/approve", "{\"by\": \"admin\"}",
                OUTSIDER, OUTSIDER_PASSWORD);
        assertThat(impersonating.statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = post("/api/approvals/no-such-request/approve", "{}", APPROVER, APPROVER_PASSWORD);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Json.parse(unknown.body()).path("error").asText()).contains("no approval request with id no-such-request");
        HttpResponse<String> formBody = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.httpPort()
                        + "/api/approvals/" + request + "/approve")).header("origin", "http://elsewhere.example")
                .header("authorization", "Basic " + java.util.Base64.getEncoder()
                        .encodeToString((APPROVER + ":" + APPROVER_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("reason=forged")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(formBody.statusCode()).as("a body a cross-site form could send").isEqualTo(415);

        HttpResponse<String> rejected = post("/api/approvals/" + request + "/reject", "{\"reason\": \"not today\"}",
                APPROVER, APPROVER_PASSWORD);
        assertThat(rejected.statusCode()).isEqualTo(202);
        assertThat(Json.parse(rejected.body()).path("by").asText()).isEqualTo(APPROVER);
        await("rejected under the approver's login").atMost(PATIENCE).until(() -> on(Topics.AUDIT.name()).stream()
                .anyMatch(r -> dev.hydra.topics.EventHeaders.get(r.headers(), dev.hydra.topics.EventHeaders.CORRELATION_ID)
                        .orElse("").equals("park-api") && value(r).path("actor").asText().equals(APPROVER)));
        assertThat(on(Topics.AUDIT.name())).noneMatch(r -> value(r).path("actor").asText().equals(OUTSIDER));
    }

    /** The approval request parking a task, once the filter has parked it. */
    private Optional<String> requestOf(String taskId) {
        return on(Topics.APPROVAL_REQUESTS.name()).stream().map(PipelineScenarios::value)
                .filter(r -> r.path("subjectId").asText().equals(taskId)).map(r -> r.path("id").asText()).findFirst();
    }

    @Test
    void anOperatorLogsInToTheConsoleApprovesAParkedTaskAndItIsReleasedUnderTheirName() throws Exception {
        Path chromium = HeadlessChromium.binary().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(chromium != null,
                "Debian's chromium is not installed (.ci/run installs it)");
        HttpResponse<String> parked = post("/api/tasks", """
                        {"id": "park-1", "priority": 2, "description": "planned migration", "crew": "development",
                         "task": {"action": "complete_feature", "sql": "DROP DATABASE letta_old"}}""", OUTSIDER, OUTSIDER_PASSWORD);
        assertThat(parked.statusCode()).isEqualTo(202);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(stack.clientProps(Principal.ADMIN),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TASKS_PROPOSED.name(), "console-bad",
                    "not json at all".getBytes(StandardCharsets.UTF_8))).get();
        }

        String console = "http://127.0.0.1:" + stack.httpPort();
        try (HeadlessChromium browser = HeadlessChromium.launch(chromium, Files.createTempDirectory("chromium"))) {
            browser.navigate(console + "/");
            String row = "[...document.querySelectorAll('#approvals tr')].find(r => r.textContent.includes('park-1'))";
            await("the parked task is in the page's approval queue").atMost(PATIENCE)
                    .until(() -> browser.eval("!!" + row).asBoolean());
            // What would run, set apart; why it was parked; how long is left; the id the CLI shows.
            String requestId = new ApprovalDesk(stack.clientProps()).pending().stream()
                    .filter(r -> r.subjectId().equals("park-1")).findFirst().orElseThrow().id();
            assertThat(browser.eval(row + ".querySelector('.request-id').textContent").asText()).isEqualTo(requestId);
            assertThat(browser.eval(row + ".querySelector('code.run').textContent").asText()).isEqualTo("DROP DATABASE letta_old");
            assertThat(browser.eval(row + ".textContent").asText()).contains("planned migration").contains("complete_feature")
                    .contains("never_delete_databases").containsPattern("\\d+ h \\d+ min");
            String dlqRow = "[...document.querySelectorAll('#dlq tr')].find(r => r.textContent.includes('not json at all'))";
            await("the dead letter is listed with its source position and error").atMost(PATIENCE)
                    .until(() -> browser.eval("!!" + dlqRow).asBoolean());
            assertThat(browser.eval(dlqRow + ".textContent").asText()).contains("hydra.tasks.proposed-").contains("not JSON")
                    .contains("hydra-constitution-filter");
            await("every crew worker is listed, live").atMost(PATIENCE).until(() -> browser.eval(
                    "document.querySelectorAll('#workers td.live').length").asInt() == Crew.values().length);
            browser.screenshot(Path.of("target", "console.png"));
            // Not logged in: the decision is refused and the console asks for a login.
            browser.eval(row + ".querySelector('button.approve').click(); true");
            try {
                await("the console asks for a login").atMost(PATIENCE).until(() -> browser.eval(
                        "location.pathname === '/login' && !!document.getElementById('password')").asBoolean());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("no login page; the console says: "
                        + browser.eval("document.getElementById('status')?.textContent").asText(), e);
            }
            // A post without the CSRF token is refused, even with the session cookie.
            assertThat(browser.eval("fetch('/login', {method: 'POST', headers: {'content-type':"
                    + " 'application/x-www-form-urlencoded'}, body: 'username=admin&password=" + APPROVER_PASSWORD
                    + "', redirect: 'manual'}).then(r => r.status)").asInt()).isIn(302, 0);
            assertThat(browser.eval("fetch('/api/whoami').then(r => r.json()).then(me => me.user)").isNull()).isTrue();
            browser.eval("document.getElementById('username').value = '" + APPROVER + "';"
                    + "document.getElementById('password').value = '" + APPROVER_PASSWORD + "';"
                    + "document.querySelector('#login button').click(); true");
            await("logged in and back on the console").atMost(PATIENCE).until(() ->
                    browser.eval("location.pathname === '/' && document.getElementById('user')?.textContent === '" + APPROVER + "'")
                            .asBoolean());
            assertThat(browser.eval("document.cookie.includes('hydra.session')").asBoolean())
                    .as("the session cookie is HttpOnly").isFalse();
            assertThat(browser.eval("fetch('/api/approvals/x/approve', {method: 'POST', headers: {'content-type':"
                    + " 'application/json'}, body: '{}'}).then(r => r.status)").asInt())
                    .as("a post without the CSRF token").isEqualTo(403);
            await("the queue is shown again").atMost(PATIENCE).until(() -> browser.eval("!!" + row).asBoolean());
            browser.eval("document.getElementById('why').value = 'planned migration, backup verified';"
                    + row + ".querySelector('button.approve').click(); true");
            try {
                await("released to the crew after the approval").atMost(PATIENCE).until(() ->
                        on(Topics.TASKS_APPROVED.name()).stream().anyMatch(r -> "park-1".equals(r.key())));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("not released; the console says: "
                        + browser.eval("document.getElementById('status').textContent").asText(), e);
            }
            await("gone from the page's queue").atMost(PATIENCE).until(() -> !browser.eval("!!" + row).asBoolean());

            // The pause button: pressed by the logged-in person, the stack pauses; pressed again, it resumes.
            browser.eval("document.getElementById('why').value = 'console pause'; true");
            await("the pause button is shown").atMost(PATIENCE).until(() -> browser.eval(
                    "document.getElementById('pause').textContent === 'pause' && !document.getElementById('pause').hidden")
                    .asBoolean());
            browser.eval("document.getElementById('pause').click(); true");
            await("paused from the console").atMost(PATIENCE).until(() -> stack.pauseSwitch().orElseThrow().paused());
            assertThat(stack.pauseSwitch().orElseThrow().state().orElseThrow().by()).isEqualTo(APPROVER);
            assertThat(stack.pauseSwitch().orElseThrow().state().orElseThrow().reason()).isEqualTo("console pause");
            await("the button offers to resume").atMost(PATIENCE).until(() -> browser.eval(
                    "document.getElementById('pause').textContent === 'resume'").asBoolean());
            browser.eval("document.getElementById('pause').click(); true");
            await("resumed from the console").atMost(PATIENCE).until(() -> !stack.pauseSwitch().orElseThrow().paused());
        }
        // The decision is audited under the approval request, correlated with the task it released,
        // in the name of who logged in.
        assertThat(on(Topics.AUDIT.name())).anyMatch(r -> dev.hydra.topics.EventHeaders.get(r.headers(),
                dev.hydra.topics.EventHeaders.CORRELATION_ID).orElse("").equals("park-1")
                && value(r).path("actor").asText().equals(APPROVER));
    }

    /** A post as curl makes it: the login's Basic credentials, no Origin, whatever content type it says. */
    private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.httpPort() + path))
                .header("content-type", contentType).header("authorization", "Basic " + java.util.Base64.getEncoder()
                        .encodeToString((APPROVER + ":" + APPROVER_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLoggedInOperatorPausesAndResumesTheStackOverTheApiAndHealthSaysSo() throws Exception {
        assertThat(post("/api/pause", "{}", null, null).statusCode()).as("no login, no pause").isEqualTo(401);
        assertThat(stack.pauseSwitch().orElseThrow().paused()).isFalse();

        HttpResponse<String> paused = post("/api/pause", "application/json", "{\"reason\": \"disk swap\"}");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(Json.parse(paused.body()).path("by").asText()).as("in the name of who logged in").isEqualTo(APPROVER);
        await("the stack's switch follows").atMost(PATIENCE).until(() -> stack.pauseSwitch().orElseThrow().paused());
        JsonNode health = Json.parse(get("/health").body());
        assertThat(health.path("paused").asBoolean()).isTrue();
        assertThat(health.path("notes").path("stack").asText()).contains("PAUSED by " + APPROVER, "disk swap");

        HttpResponse<String> resumed = post("/api/resume", "application/json", "");
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
        await("resumed").atMost(PATIENCE).until(() -> !stack.pauseSwitch().orElseThrow().paused());
        assertThat(Json.parse(get("/health").body()).path("paused").asBoolean()).isFalse();
    }

    @Test
    void theApiTakesJsonWhateverTheContentTypeSaysAndAnswersEveryErrorInJson() throws Exception {
        // What `curl -XPOST .../api/tasks -d @task.json` sends: a form content type, a long JSON body.
        String padding = "x".repeat(8_000);
        HttpResponse<String> form = post("/api/tasks", "application/x-www-form-urlencoded", """
                {"id": "form-1", "priority": 4, "description": "research %s", "crew": "research",
                 "task": {"action": "research_topic", "topic": "curl"}}""".formatted(padding));
        assertThat(form.statusCode()).as(form.body()).isEqualTo(202);
        await("proposed, saying it came in over HTTP").atMost(PATIENCE).until(() -> on(Topics.TASKS_PROPOSED.name())
                .stream().filter(r -> "form-1".equals(r.key())).anyMatch(r -> value(r).path("source").asText().equals("http")));

        HttpResponse<String> empty = post("/api/tasks", "application/json", "");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(Json.parse(empty.body()).path("error").asText()).contains("body is empty");

        HttpResponse<String> invalid = post("/api/tasks", "text/plain", """
                {"priority": 9, "description": "d", "crew": "research", "task": {"action": "research_topic"}}""");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(Json.parse(invalid.body()).path("error").asText()).contains("priority");

        HttpResponse<String> huge = post("/api/tasks", "application/json", "{\"description\": \"" + "y".repeat(2_000_000) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(Json.parse(huge.body()).path("error").asText()).contains("1048576 bytes");

        HttpResponse<String> missing = get("/api/nothing-here");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Json.parse(missing.body()).path("error").asText()).contains("/api/nothing-here");
    }

    private static void status(KafkaProducer<String, byte[]> producer, String task, TaskState state, int attempt,
                               String detail) throws Exception {
        TaskStatus status = new TaskStatus(task, Crew.RESEARCH, state, "view-node", attempt, detail, Instant.now());
        producer.send(new ProducerRecord<>(Topics.TASK_STATUS.name(), task,
                Topics.TASK_STATUS.valueSerde().serialize(Topics.TASK_STATUS.name(), status))).get();
    }

    @Test
    void theConsoleViewKeepsRunningRetryingAndFailedTasksApartAndQueuesNoEndedTask() throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(stack.clientProps(Principal.ADMIN),
                new StringSerializer(), new ByteArraySerializer())) {
            status(producer, "view-retry", TaskState.CLAIMED, 1, "");
            status(producer, "view-retry", TaskState.RETRIED, 1, "model endpoint refused the connection");
            status(producer, "view-fail", TaskState.FAILED, 3, "gave up after 3 attempts: timeout");
            // A lane record read after its task ended (what a restarted console meets) is not queued work.
            status(producer, "view-done", TaskState.COMPLETED, 1, "");
            producer.send(new ProducerRecord<>("hydra.crew.research.p4", "view-done", Topics.TASK.serialize("",
                    new Task("view-done", null, 4, 0, "done already", Crew.RESEARCH, Map.of("action", "research_topic"),
                            List.of(), List.of(), "test", null)))).get();
        }
        await("the view has folded the statuses").atMost(PATIENCE).until(() -> {
            JsonNode view = Json.parse(get("/api/view").body());
            return view.path("retrying").toString().contains("view-retry") && view.path("failed").toString().contains("view-fail");
        });
        JsonNode view = Json.parse(get("/api/view").body());
        assertThat(view.path("running").toString()).doesNotContain("view-retry");
        assertThat(view.path("retrying").toString()).contains("model endpoint refused the connection");
        assertThat(view.path("failed").toString()).contains("gave up after 3 attempts");
        assertThat(view.path("queued").path("hydra.crew.research.p4").asInt(0)).isZero();
    }

    /** A post by the approver's login (a tool call, like everything that changes state, needs one). */
    private HttpResponse<String> post(String path, String body) throws Exception {
        return post(path, body, APPROVER, APPROVER_PASSWORD);
    }

    @Test
    void anOperatorsToolCallsAreJudgedByTheConstitutionAndRunByTheExecutor() throws Exception {
        assertThat(post("/api/toolcalls", "{\"server\": \"filesystem-mcp\", \"tool\": \"read_file\"}", null, null)
                .statusCode()).as("a tool call without a login").isEqualTo(401);
        HttpResponse<String> written = post("/api/toolcalls?wait=60s", """
                {"id": "op-write-1", "server": "filesystem-mcp", "tool": "write_file",
                 "arguments": {"path": "/workspace/notes/operator.txt", "content": "written by an operator"}}""");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        assertThat(Json.parse(written.body()).path("status").asText()).isEqualTo("OK");

        Path config = dataDir.resolve("cli-hydra.yaml");
        Files.writeString(config, "kafka:\n  bootstrap: " + stack.bootstrap() + "\n  credentialsDir: "
                + dataDir.resolve("credentials") + "\ndata:\n  dir: " + dataDir + "\n"); // the operator's key is there
        Path call = dataDir.resolve("read-call.json");
        Files.writeString(call, """
                {"server": "filesystem-mcp", "tool": "read_file", "arguments": {"path": "notes/operator.txt"}}""");
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cli = HydraCli.commandLine();
        cli.setOut(new java.io.PrintWriter(out));
        int code = cli.execute("call", "--config", config.toString(), "--wait", "60s", call.toString());
        assertThat(code).as(out.toString()).isZero();
        JsonNode read = Json.parse(out.toString().strip());
        assertThat(read.path("status").asText()).isEqualTo("OK");
        assertThat(read.path("output").asText()).contains("written by an operator");
        assertThat(read.path("taskId").asText()).startsWith("operator-");

        List<String> calls = List.of("op-write-1", read.path("id").asText());
        await("both calls audited as allowed").atMost(PATIENCE).until(() -> on(Topics.AUDIT.name()).stream()
                .map(PipelineScenarios::value).filter(a -> a.path("verdict").asText().equals("ALLOW"))
                .map(a -> a.path("subjectId").asText()).filter(calls::contains).distinct().count() == 2);
    }

    @Test
    void anOperatorsCallOutsideTheAllowedPathsParksAndAnUnknownServerIsRefusedWithTheKnownOnes() throws Exception {
        HttpResponse<String> parked = post("/api/toolcalls?wait=3s", """
                {"id": "op-cron-1", "server": "filesystem-mcp", "tool": "write_file",
                 "arguments": {"path": "/etc/cron.d/operator", "content": "* * * * * root true"}}""");
        assertThat(parked.statusCode()).as(parked.body()).isEqualTo(202);
        assertThat(Json.parse(parked.body()).path("status").asText()).isEqualTo("PENDING");
        await("parked for a person").atMost(PATIENCE).until(() -> on(Topics.AUDIT.name()).stream()
                .map(PipelineScenarios::value).anyMatch(a -> a.path("subjectId").asText().equals("op-cron-1")
                        && a.path("verdict").asText().equals("NEEDS_APPROVAL")));

        HttpResponse<String> unknown = post("/api/toolcalls", """
                {"server": "filesystem", "tool": "read_file", "arguments": {"path": "x"}}""");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("server 'filesystem' is not run by this stack")
                .contains("filesystem-mcp").contains("crews.mcpServers");
        assertThat(post("/api/toolcalls?wait=3h", "{\"server\": \"shell\", \"tool\": \"run\"}").body())
                .contains("wait may be at most 2m");
    }

    private void assessNow() throws Exception {
        dev.hydra.assessor.StateAssessor assessor = stack.services().stream()
                .filter(dev.hydra.assessor.StateAssessor.class::isInstance).map(dev.hydra.assessor.StateAssessor.class::cast)
                .findFirst().orElseThrow();
        assessor.assessNow().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** The ids of the restart tasks proposed for flappy, in the order they were first proposed. */
    private List<String> flappyRestarts() {
        return on(Topics.TASKS_PROPOSED.name()).stream().map(PipelineScenarios::value)
                .filter(t -> t.path("task").path("service").asText().equals("flappy"))
                .map(t -> t.path("id").asText()).distinct().toList();
    }

    private boolean completed(String taskId) {
        return on(Topics.TASK_STATUS.name()).stream().filter(r -> taskId.equals(r.key())).map(PipelineScenarios::value)
                .anyMatch(s -> s.path("state").asText().equals("COMPLETED"));
    }

    @Test
    void aServiceThatFailsRecoversAndFailsAgainIsRestartedTwiceAndShownHealthyInBetween() throws Exception {
        flappyStatus.set(503);
        assessNow();
        await("a restart task for the first failure, completed").atMost(PATIENCE)
                .until(() -> flappyRestarts().size() == 1 && completed(flappyRestarts().get(0)));

        flappyStatus.set(200);
        assessNow();
        await("hydra_state shows it healthy").atMost(PATIENCE).until(() -> {
            HttpResponse<String> block = get("/api/memory/blocks/hydra_state");
            return block.statusCode() == 200 && block.body().contains("failed services")
                    && !block.body().contains("flappy");
        });

        flappyStatus.set(503);
        assessNow();
        await("a second restart task, completed").atMost(PATIENCE)
                .until(() -> flappyRestarts().size() == 2 && completed(flappyRestarts().get(1)));
        assertThat(Files.readAllLines(findUnder(dataDir, "flappy-restarts.txt"))).containsExactly("restarted", "restarted");
    }
}
