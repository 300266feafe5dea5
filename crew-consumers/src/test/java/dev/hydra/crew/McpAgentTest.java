package dev.hydra.crew;

import static dev.hydra.crew.ScriptedModelServer.answer;
import static dev.hydra.crew.ScriptedModelServer.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.constitution.ConstitutionFilter;
import dev.hydra.crew.tools.ToolExecutorService;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Json;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.signing.TestSigning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A development agent driven by the scripted model works through a configured MCP filesystem server
 * over stdio, on a real broker with the real constitution filter: it is offered the server's tools
 * under {@code fs__TOOL}, reads and edits a file the constitution lets it edit (ALLOW, run by the tool
 * executor on the MCP client), and a write outside the allowed paths is parked for a person
 * (NEEDS_APPROVAL) and never reaches the server. Against the official server-filesystem (skipped with
 * a message where node is missing) and its twin built with the MCP Java SDK.
 */
class McpAgentTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private KafkaTestCluster cluster;
    private EventProducer producer;

    @TempDir
    Path dir;

    /**
     * A broker of its own for each test: the constitution filter's Streams application keeps one
     * group id, which stays taken for a while after a test, and must judge this test's calls only.
     */
    @BeforeEach
    void startBroker() {
        cluster = KafkaTestCluster.start().withCatalogTopics();
        producer = new EventProducer(cluster.clientProps(), "mcp-agent-test");
    }

    @AfterEach
    void stopBroker() {
        producer.close();
        cluster.close();
    }

    @Test
    void anAgentEditsAFileThroughTheOfficialFilesystemServerAndAWriteOutsideTheAllowedPathsIsParked()
            throws Exception {
        NpmMcpServers.assumeInstalled();
        Path project = Files.createDirectories(dir.resolve("project")).toRealPath();
        editThroughMcp(project, NpmMcpServers.filesystem(project.getParent()));
    }

    @Test
    void anAgentEditsAFileThroughAJavaSdkServerAndAWriteOutsideTheAllowedPathsIsParked() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project")).toRealPath();
        editThroughMcp(project, JavaMcpServer.command(project.getParent()));
    }

    /**
     * The server serves the parent of {@code project}; the constitution lets agents edit only inside
     * {@code project}, so a write beside it is the server's to make but the constitution's to refuse.
     */
    private void editThroughMcp(Path project, List<String> server) throws Exception {
        Path app = Files.writeString(project.resolve("app.py"), "print('hello')\n");
        Path outside = project.getParent().resolve("outside.txt");
        try (ScriptedModelServer model = new ScriptedModelServer()) {
            workThroughMcp(project, app, outside, model, config(project, server, model));
        }
    }

    private void workThroughMcp(Path project, Path app, Path outside, ScriptedModelServer model, HydraConfig config)
            throws Exception {
        // verifiers accept only verdicts of constitutions in force: the one this test's filter judges tool
        // calls by, and (for the worker) the test key's, which signs the task the test puts on the lane
        String inForce = dev.hydra.constitution.rules.Constitution.load(
                dir.resolve("constitution").resolve("constitution.yaml")).sha256();
        try (Observer observer = new Observer();
             Reports reports = new Reports(cluster);
             ConstitutionFilter filter = new ConstitutionFilter(config, cluster.clientProps(), dir.resolve("state"),
                     TestSigning.signer(), TestSigning.writerVerifier());
             ToolExecutorService executor = new ToolExecutorService(config, cluster.clientProps(), dir.resolve("work"),
                     TestRedactor.OPENAI_KEYS, TestSigning.verifier(inForce));
             CrewWorker worker = new CrewWorker(config, cluster.clientProps(), Crew.DEVELOPMENT, "mcp-node",
                     dir.resolve("work"), TestRedactor.OPENAI_KEYS,
                     TestSigning.verifier(inForce, TestSigning.CONSTITUTION_SHA256), TestSigning.crewSigner(Crew.DEVELOPMENT), TestSigning.writerVerifier())) {
            model.then(
                    toolCalls(100, 20, List.of(Map.entry("fs__read_text_file", Map.of("path", app.toString())))),
                    toolCalls(100, 20, List.of(Map.entry("fs__edit_file", Map.of("path", app.toString(),
                            "edits", List.of(Map.of("oldText", "hello", "newText", "hydra")))))),
                    toolCalls(100, 20, List.of(Map.entry("fs__write_file", Map.of("path", outside.toString(),
                            "content", "not for agents")))),
                    answer("Edited app.py; the write beside the project waits for a person.", 100, 10),
                    answer("Tests written.", 100, 10),
                    answer("APPROVED.", 100, 10),
                    answer("Integrated.", 100, 10));
            filter.start();
            executor.start();
            worker.start();
            // a fresh broker: the filter's Streams application takes a while to run, and the agent's first
            // call would otherwise spend its wait on that
            await().atMost(PATIENCE).until(() -> filter.state() == KafkaStreams.State.RUNNING);
            Task task = Tasks.of(Crew.DEVELOPMENT, 2, Map.of("action", "complete_feature", "feature", "greeting"),
                    "Complete feature: greeting");

            Tasks.submit(producer, task);

            await().atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1);
            TaskResult result = reports.resultsOf(task.id()).get(0);
            assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.SUCCEEDED);

            // offered under the server's name, with the server's own description and schema
            JsonNode offered = tool(model.requests.get(0), "fs__edit_file");
            assertThat(offered.path("description").asText()).isNotBlank();
            assertThat(offered.path("parameters").path("properties").has("edits")).isTrue();
            assertThat(ScriptedModelServer.toolNames(model.requests.get(0)))
                    .contains("read_file", "write_file", "run_shell", "fs__read_text_file", "fs__write_file");

            // calls of server fs and the MCP tool names, judged by their paths
            await().atMost(PATIENCE).until(() -> observer.callsOf(task.id()).size() == 3);
            List<ToolCall> calls = observer.callsOf(task.id());
            // (keyed by the file each touches, so they may sit on different partitions)
            assertThat(calls).extracting(ToolCall::qualifiedTool)
                    .containsExactlyInAnyOrder("fs.read_text_file", "fs.edit_file", "fs.write_file");
            assertThat(call(calls, "edit_file").resources()).containsExactly("path:" + app);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> traces = (List<Map<String, Object>>) result.artefacts().get("toolCalls");
            assertThat(traces).extracting(t -> t.get("status"))
                    .as("the agent was told %s", ScriptedModelServer.toolMessages(model.requests.get(3)))
                    .containsExactly("OK", "OK", "ERROR");

            // the read saw the file, the edit changed it, the parked write never ran
            assertThat(ScriptedModelServer.toolMessages(model.requests.get(1))).singleElement().asString()
                    .contains("print('hello')");
            assertThat(Files.readString(app)).isEqualTo("print('hydra')\n");
            assertThat(outside).doesNotExist();
            assertThat(ScriptedModelServer.toolMessages(model.requests.get(3)).get(2))
                    .contains("no answer to fs.write_file").contains("pending human approval");
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(observer.approvalsOf(call(calls, "write_file").id()))
                    .singleElement().satisfies(request -> assertThat(Json.write(request)).contains(outside.toString())));
        }
    }

    /** hydra.yaml for the test: the server offered to the development crew, a constitution allowing {@code project}. */
    private HydraConfig config(Path project, List<String> server, ScriptedModelServer model) throws Exception {
        String constitution = Files.readString(Path.of("../config/constitution.yaml"));
        String workspace = "  - operation: workspace_files\n    paths: [\"/workspace/**\"]\n";
        assertThat(constitution).contains(workspace);
        // in a directory of its own: the constitution's directory is never writable by agents
        Path file = Files.writeString(Files.createDirectories(dir.resolve("constitution")).resolve("constitution.yaml"),
                constitution.replace(workspace,
                "  - operation: workspace_files\n    paths: [\"/workspace/**\", \"" + project + "/**\"]\n"));
        Map<String, Object> crews = new LinkedHashMap<>();
        crews.put("heartbeat", "500ms");
        crews.put("pollTimeout", "100ms");
        // how long the agent waits for the parked call, and the MCP server's time to start and answer
        crews.put("toolTimeout", "30s");
        crews.put("llm", Map.of("baseUrl", model.baseUrl(), "model", ScriptedModelServer.MODEL));
        crews.put("mcpServers", List.of(Map.of("name", "fs", "kind", "server-filesystem", "crews",
                List.of("development"), "command", server)));
        return HydraConfig.of(Json.write(Map.of("crews", crews, "constitution", Map.of("file", file.toString()))),
                Map.of());
    }

    private static ToolCall call(List<ToolCall> calls, String tool) {
        return calls.stream().filter(c -> c.tool().equals(tool)).findFirst().orElseThrow();
    }

    private static JsonNode tool(JsonNode request, String name) {
        for (JsonNode tool : request.path("tools")) {
            if (tool.path("function").path("name").asText().equals(name)) {
                return tool.path("function");
            }
        }
        throw new AssertionError(name + " was not offered: " + ScriptedModelServer.toolNames(request));
    }

    /** The tool calls agents asked for and the approval requests the filter raised, read from the broker. */
    private final class Observer implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer = cluster.consumer(Topics.TOOLCALLS_REQUESTED.name(),
                Topics.APPROVAL_REQUESTS.name());
        private final List<ToolCall> calls = new CopyOnWriteArrayList<>();
        private final List<ApprovalRequest> approvals = new CopyOnWriteArrayList<>();

        private void poll() {
            for (ConsumerRecord<String, byte[]> r : KafkaTestCluster.poll(consumer)) {
                if (r.topic().equals(Topics.TOOLCALLS_REQUESTED.name())) {
                    calls.add(Topics.TOOLCALLS_REQUESTED.valueSerde().deserialize(r.topic(), r.value()));
                } else if (r.value() != null) {
                    approvals.add(Topics.APPROVAL_REQUESTS.valueSerde().deserialize(r.topic(), r.value()));
                }
            }
        }

        List<ToolCall> callsOf(String taskId) {
            poll();
            return calls.stream().filter(c -> c.taskId().equals(taskId)).toList();
        }

        List<ApprovalRequest> approvalsOf(String callId) {
            poll();
            return approvals.stream().filter(a -> a.subjectId().equals(callId)).toList();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
