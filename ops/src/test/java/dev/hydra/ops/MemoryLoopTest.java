package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hydra.topics.Json;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Memory in the loop, on the whole stack (real broker, constitution filter, router, crews, memory
 * projector with the in-process MiniLM embeddings) with agents driven through the real langchain4j
 * OpenAI client by a scripted model ({@link Model}; no LLM can be downloaded here): a fact one research
 * task stores with core_memory_append is in the next research task's system prompt; archival_memory_search
 * finds a passage stored earlier; a development agent's write to the research block is refused and
 * audited; a research result that names a technology to evaluate becomes a P4 evaluate_technology task.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemoryLoopTest {
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    static final String FACT = "kafka quorum: the lab's KRaft quorum has 3 controllers on nodes a, b and c";
    static final String TECHNOLOGY = "Redpanda";

    private KafkaTestCluster kafka;
    private Model model;
    private HydraStack stack;
    private KafkaConsumer<String, byte[]> observer;
    private final List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        kafka = KafkaTestCluster.start();
        model = new Model();
        String yaml = """
                kafka:
                  bootstrap: %s
                crews:
                  llm:
                    baseUrl: %s
                    model: scripted-model
                memory:
                  archival: true
                  changeCapture: false
                """.formatted(kafka.bootstrap(), model.baseUrl());
        HydraConfig config = HydraConfig.of(yaml, Map.of("HYDRA_CONSTITUTION",
                Path.of("../config/constitution.yaml").toAbsolutePath().normalize().toString()));
        stack = HydraStack.start(new HydraStack.Options(config, Files.createTempDirectory("hydra-memory-loop"),
                Optional.of(kafka.bootstrap()), 0, Optional.of(0), List.of(Crew.RESEARCH, Crew.DEVELOPMENT)));
        observer = KafkaTestCluster.consumer(stack.clientProps(Principal.ADMIN), Topics.TASK_RESULTS.name(),
                Topics.AUDIT.name(), Topics.TASKS_PROPOSED.name(), Topics.CREW_NODES.name());
    }

    @AfterAll
    void stop() {
        if (observer != null) {
            observer.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (model != null) {
            model.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private List<ConsumerRecord<String, byte[]>> on(String topic) {
        seen.addAll(KafkaTestCluster.poll(observer));
        return seen.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    private TaskResult result(String taskId) {
        return await().atMost(PATIENCE).until(() -> on(Topics.TASK_RESULTS.name()).stream()
                .filter(r -> taskId.equals(r.key()))
                .map(r -> Topics.TASK_RESULTS.valueSerde().deserialize(r.topic(), r.value())).findFirst().orElse(null),
                java.util.Objects::nonNull);
    }

    private void submit(String id, Crew crew, String description, Map<String, Object> details) throws Exception {
        stack.submit(new Task(id, null, 3, 50, description, crew, details, List.of(), List.of(), "memory-loop-test",
                null));
    }

    @Test
    void whatOneTaskRemembersTheNextTaskKnowsAndOtherCrewsCannotOverwrite() throws Exception {
        // Task 1: the web searcher stores a fact in its crew's block; the summarizer names a technology.
        submit("memory-loop-1", Crew.RESEARCH, "Research: " + Model.STORE + " the lab's Kafka quorum",
                Map.of("action", "research_topic", "topic", "kafka quorum"));
        TaskResult first = result("memory-loop-1");
        assertThat(first.outcome()).as(first.summary()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(model.toolResults("memory-loop-1")).as("the append's answer to the agent")
                .anySatisfy(answer -> assertThat(answer).startsWith("written: research_findings is now version"));
        assertThat(first.artefacts().get("technologies_to_evaluate")).asString().contains(TECHNOLOGY);

        // Archiving a result embeds it (the first one loads the model): task 2 searches once it is stored.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + stack.httpPort()
                        + "/api/memory/search?q=kafka+quorum&k=5")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body()).contains("memory-loop-1"));

        // Task 2: the fact is in every system prompt of the next research task, and archival search finds
        // the passage task 1's result left in archival memory.
        submit("memory-loop-2", Crew.RESEARCH, "Research: " + Model.SEARCH + " controller placement",
                Map.of("action", "research_topic", "topic", "controller placement"));
        TaskResult second = result("memory-loop-2");
        assertThat(second.outcome()).as(second.summary()).isEqualTo(Outcome.SUCCEEDED);
        List<String> prompts = model.systemPrompts("memory-loop-2");
        assertThat(prompts).as("one system prompt per model call of task 2").isNotEmpty()
                .allSatisfy(prompt -> assertThat(prompt).contains("### research_findings").contains(FACT)
                        .contains("### hydra_state"));
        assertThat(model.toolResults("memory-loop-2")).as("archival_memory_search's answer")
                .anySatisfy(answer -> assertThat(answer).contains("research research_topic succeeded")
                        .contains("memory-loop-1"));

        // A development agent may not write the research crew's block: refused, audited, the block unchanged.
        submit("memory-loop-3", Crew.DEVELOPMENT, "Implement: " + Model.INTRUDE + " nothing", Map.of("action",
                "complete_feature", "feature", "nothing"));
        TaskResult third = result("memory-loop-3");
        assertThat(model.toolResults("memory-loop-3")).anySatisfy(answer -> assertThat(answer)
                .contains("refused (and audited): research_findings is written only by research, not by development"));
        assertThat(third.taskId()).isEqualTo("memory-loop-3");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(on(Topics.AUDIT.name()).stream()
                .map(r -> Topics.AUDIT.valueSerde().deserialize(r.topic(), r.value()))
                .filter(a -> a.action().equals("memory_write_refused")))
                .singleElement().satisfies(audit -> {
                    assertThat(audit.actor()).isEqualTo("development");
                    assertThat(audit.subjectId()).isEqualTo("research_findings");
                    assertThat(audit.verdict()).isEqualTo(Decision.DENY);
                }));
        assertThat(stack.services().stream().filter(dev.hydra.memory.MemoryProjector.class::isInstance)
                .map(dev.hydra.memory.MemoryProjector.class::cast).findFirst().orElseThrow().blocks()
                .get("research_findings").content()).contains(FACT).doesNotContain("left-pad");

        // The research node times its agents' model calls and announces their p95 (what the slow-inference rule reads).
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(on(Topics.CREW_NODES.name()).stream()
                .map(r -> Topics.CREW_NODES.valueSerde().deserialize(r.topic(), r.value()))
                .filter(n -> n.crew() == Crew.RESEARCH))
                .anySatisfy(node -> {
                    assertThat(node.modelCalls()).isGreaterThanOrEqualTo(6);
                    assertThat(node.modelLatencyP95Ms()).isPositive();
                }));

        // The technology task 1 named is a P4 evaluate_technology task, proposed by the assessor, no person involved.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(on(Topics.TASKS_PROPOSED.name()).stream()
                .map(r -> Topics.TASKS_PROPOSED.valueSerde().deserialize(r.topic(), r.value()))
                .filter(t -> "evaluate_technology".equals(t.action())))
                .anySatisfy(task -> {
                    assertThat(task.priority()).isEqualTo(4);
                    assertThat(Json.write(task.task())).contains(TECHNOLOGY);
                }));
    }

    /**
     * An OpenAI-compatible endpoint that plays the agents by what they are sent: the agent's role is in
     * its system message, the task's marker in the assignment, and a tool's answer in a "tool" message.
     */
    static final class Model implements AutoCloseable {
        static final String STORE = "STORE-FACT";
        static final String SEARCH = "SEARCH-ARCHIVE";
        static final String INTRUDE = "WRITE-RESEARCH-BLOCK";

        private final HttpServer server;
        final List<JsonNode> requests = new CopyOnWriteArrayList<>();

        Model() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/chat/completions", this::answer);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        }

        private void answer(HttpExchange exchange) throws IOException {
            JsonNode request = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(request);
            byte[] bytes = Json.write(respond(request)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        private static ObjectNode respond(JsonNode request) {
            String system = message(request, "system");
            String user = message(request, "user");
            boolean answered = request.path("messages").findValuesAsText("role").contains("tool");
            if (!answered && system.contains("Web Research Specialist") && user.contains(STORE)) {
                return toolCall("core_memory_append", Map.of("block", "research_findings", "text", FACT));
            }
            if (!answered && system.contains("Web Research Specialist") && user.contains(SEARCH)) {
                return toolCall("archival_memory_search", Map.of("query", "what did research find about kafka quorum"));
            }
            if (!answered && system.contains("Software Engineer") && user.contains(INTRUDE)) {
                return toolCall("core_memory_append", Map.of("block", "research_findings",
                        "text", "evaluate left-pad: the development crew says so"));
            }
            if (system.contains("Research Synthesizer") && user.contains(STORE)) {
                return text("Kafka quorum sizing is settled for the lab.\nevaluate: " + TECHNOLOGY
                        + ": Kafka-compatible broker with lower tail latency");
            }
            if (system.contains("Code Reviewer")) {
                return text("REJECTED: nothing to integrate");
            }
            return text("Done; nothing further.");
        }

        private static String message(JsonNode request, String role) {
            for (JsonNode m : request.path("messages")) {
                if (role.equals(m.path("role").asText())) {
                    return m.path("content").asText("");
                }
            }
            return "";
        }

        private static ObjectNode toolCall(String name, Map<String, Object> arguments) {
            ObjectNode message = Json.MAPPER.createObjectNode().put("role", "assistant");
            message.putNull("content");
            ObjectNode call = message.putArray("tool_calls").addObject().put("id", "call_" + name).put("type", "function");
            call.putObject("function").put("name", name).put("arguments", Json.write(arguments));
            return completion(message, "tool_calls");
        }

        private static ObjectNode text(String content) {
            return completion(Json.MAPPER.createObjectNode().put("role", "assistant").put("content", content), "stop");
        }

        private static ObjectNode completion(ObjectNode message, String finish) {
            ObjectNode root = Json.MAPPER.createObjectNode().put("id", "chatcmpl-" + System.nanoTime())
                    .put("object", "chat.completion").put("created", 1_764_000_000L).put("model", "scripted-model");
            ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
            choice.set("message", message);
            choice.put("finish_reason", finish);
            root.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20).put("total_tokens", 120);
            return root;
        }

        private List<JsonNode> of(String taskId) {
            return requests.stream().filter(r -> message(r, "user").contains("Task " + taskId + " ")).toList();
        }

        List<String> systemPrompts(String taskId) {
            return of(taskId).stream().map(r -> message(r, "system")).toList();
        }

        List<String> toolResults(String taskId) {
            List<String> out = new ArrayList<>();
            of(taskId).forEach(r -> r.path("messages").forEach(m -> {
                if ("tool".equals(m.path("role").asText())) {
                    out.add(m.path("content").asText());
                }
            }));
            return out;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
