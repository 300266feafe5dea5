package dev.hydra.crew;

import static dev.hydra.crew.ScriptedModelServer.answer;
import static dev.hydra.crew.ScriptedModelServer.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.crew.tools.ToolExecutorService;
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
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.signing.TestSigning;
import io.prometheus.client.CollectorRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The development crew end to end on a real broker: a worker whose agents talk to a scripted
 * OpenAI-compatible server, tool calls over Kafka through a stand-in of the constitution filter,
 * approved calls run by the ToolExecutorService in its sandboxed workspace.
 */
@ExtendWith(TestBroker.class)
class DevelopmentCrewTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static KafkaTestCluster cluster;
    private static EventProducer producer;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startBroker() {
        cluster = TestBroker.get();
        producer = new EventProducer(cluster.clientProps(), "development-crew-test");
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
    }

    @Test
    void developmentCrewWorksATaskWithToolCallsOverKafkaAndSeesADenialAsARefusal() throws Exception {
        try (ScriptedModelServer model = new ScriptedModelServer();
             FilterStandIn filter = new FilterStandIn(cluster, call -> call.arguments().toString().contains("iptables"));
             Reports reports = new Reports(cluster)) {
            model.then(
                    // coder: writes a file (allowed) and tries to flush the firewall (denied)
                    toolCalls(120, 30, List.of(
                            Map.entry("write_file", Map.of("path", "src/app.py", "content", "print('hydra')\n")),
                            Map.entry("run_shell", Map.of("command", "iptables -F")))),
                    answer("Implemented src/app.py; the firewall change was refused, so I skipped it.", 200, 25),
                    // tester: reads the file back through the executor
                    toolCalls(150, 20, List.of(Map.entry("read_file", Map.of("path", "/workspace/src/app.py")))),
                    answer("Checked src/app.py prints hydra.", 180, 20),
                    answer("APPROVED: small and clear.", 100, 10),
                    answer("Integrated on branch feature/app.", 100, 10));
            HydraConfig config = crewConfig(model, "capabilities: large-context");
            double tokensBefore = tokens();
            workDevelopmentTask(config, reports, "gpu-node-1", "hello app", (task, result, executor) -> {
                assertThat(result.summary()).isEqualTo("Integrated on branch feature/app.");
                assertThat(result.tokens()).isEqualTo(120 + 30 + 200 + 25 + 150 + 20 + 180 + 20 + 110 + 110);
                assertThat(result.node()).isEqualTo("gpu-node-1");
                assertThat(tokens() - tokensBefore).isEqualTo(result.tokens());
                assertThat(reports.statesOf(task.id())).containsSubsequence(TaskState.CLAIMED, TaskState.COMPLETED);

                // which tools ran, and how each ended
                assertThat(filter.requested).extracting(ToolCall::qualifiedTool)
                        .containsExactly("filesystem-mcp.write_file", "shell.run", "filesystem-mcp.read_file");
                assertThat(filter.requested).extracting(ToolCall::agent).containsExactly("coder", "coder", "tester");
                assertThat(filter.requested.get(0).resources()).containsExactly("path:/workspace/src/app.py");
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> toolCalls = (List<Map<String, Object>>) result.artefacts().get("toolCalls");
                assertThat(toolCalls).extracting(c -> c.get("status")).containsExactly("OK", "DENIED", "OK");
                assertThat(Files.readString(executor.workspaceRoot().resolve("src/app.py"))).isEqualTo("print('hydra')\n");

                // what the model saw: the write's result and the refusal, then the file content
                assertThat(model.requests).hasSize(6);
                List<String> afterCoderTools = ScriptedModelServer.toolMessages(model.requests.get(1));
                assertThat(afterCoderTools).hasSize(2);
                assertThat(afterCoderTools.get(0)).startsWith("wrote 15 characters to /workspace/src/app.py");
                assertThat(afterCoderTools.get(1)).startsWith("DENIED by Hydra's constitution: never_modify_network");
                assertThat(ScriptedModelServer.toolMessages(model.requests.get(3))).containsExactly("print('hydra')\n");
                assertThat(ScriptedModelServer.toolNames(model.requests.get(0)))
                        .as("the coder's tools and, as every agent of a worker, the memory tools")
                        .containsExactlyInAnyOrder("read_file", "write_file", "run_shell", "core_memory_append",
                                "core_memory_replace", "archival_memory_search", "archival_memory_insert", "recall_search");
                assertThat(model.requests.get(0).path("messages").get(0).path("content").asText())
                        .as("the system prompt ends with the crew's core memory, read from hydra.memory.blocks")
                        .contains("You are Hydra's Software Engineer").contains("## Core memory")
                        .contains("### development_status (your crew's block").contains("### hydra_state");
                JsonNode reviewer = model.requests.get(4);
                assertThat(reviewer.toString()).contains("Code Reviewer")
                        .contains("Hand-off from coder").contains("Hand-off from tester");

                // the worker announced its node for the router
                NodeAnnouncement announcement = announcementOf("gpu-node-1");
                assertThat(announcement.crew()).isEqualTo(Crew.DEVELOPMENT);
                assertThat(announcement.models()).containsExactly(ScriptedModelServer.MODEL);
                assertThat(announcement.capabilities()).containsExactly("large-context");
            });
        }
    }

    /** A worker's and executor's settings for talking to {@code model}, plus one more crews line. */
    private static HydraConfig crewConfig(ScriptedModelServer model, String crewsLine) {
        return HydraConfig.of("""
                crews:
                  heartbeat: 500ms
                  pollTimeout: 100ms
                  toolTimeout: 30s
                  %s
                  llm: {baseUrl: %s, model: %s}
                """.formatted(crewsLine, model.baseUrl(), ScriptedModelServer.MODEL), Map.of());
    }

    /** What a test checks once its task has a result. */
    private interface ResultCheck {
        void check(Task task, TaskResult result, ToolExecutorService executor) throws Exception;
    }

    /**
     * Works one development task with a tool executor and a worker of {@code node} on the broker, and
     * hands its result, once it succeeded, to {@code check}.
     */
    private void workDevelopmentTask(HydraConfig config, Reports reports, String node, String feature,
                                     ResultCheck check) throws Exception {
        Lanes.skipToEnd(cluster, Crew.DEVELOPMENT);
        Lanes.skipToEnd(cluster, ToolExecutorService.GROUP_ID, List.of(Topics.TOOLCALLS_APPROVED));
        try (ToolExecutorService executor = new ToolExecutorService(config, cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier());
             CrewWorker worker = new CrewWorker(config, cluster.clientProps(), Crew.DEVELOPMENT, node, workDir,
                     TestRedactor.OPENAI_KEYS, TestSigning.verifier(), TestSigning.crewSigner(Crew.DEVELOPMENT), TestSigning.writerVerifier())) {
            executor.start();
            worker.start();
            Task task = Tasks.of(Crew.DEVELOPMENT, 2, Map.of("action", "complete_feature", "feature", feature),
                    "Complete feature: " + feature);

            Tasks.submit(producer, task);

            await().atMost(PATIENCE).until(() -> reports.resultsOf(task.id()).size() == 1);
            TaskResult result = reports.resultsOf(task.id()).get(0);
            assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.SUCCEEDED);
            check.check(task, result, executor);
        }
    }

    @Test
    void developmentCrewWritesCodeAndRunsItsTestsInTheSandbox() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed: apt-get install bubblewrap");
        boolean python = Files.isExecutable(Path.of("/usr/bin/python3"));
        Map<String, Object> code = python
                ? Map.of("path", "/workspace/src/greet.py", "content", "def greet(name):\n    return 'hello ' + name\n")
                : Map.of("path", "/workspace/src/greet.sh", "content", "greet() { echo \"hello $1\"; }\n");
        Map<String, Object> test = python
                ? Map.of("path", "tests/test_greet.py", "content", """
                        import sys, unittest
                        sys.path.insert(0, '/workspace/src')
                        from greet import greet

                        class GreetTest(unittest.TestCase):
                            def test_greets_by_name(self):
                                self.assertEqual(greet('hydra'), 'hello hydra')
                        """)
                : Map.of("path", "tests/test_greet.sh", "content",
                        ". /workspace/src/greet.sh\n[ \"$(greet hydra)\" = 'hello hydra' ] && echo OK\n");
        String run = python ? "cat /etc/hostname && python3 -m unittest discover -s tests -v"
                : "cat /etc/hostname && sh tests/test_greet.sh";
        try (ScriptedModelServer model = new ScriptedModelServer();
             FilterStandIn filter = new FilterStandIn(cluster, call -> false);
             Reports reports = new Reports(cluster)) {
            model.then(
                    toolCalls(100, 20, List.of(Map.entry("write_file", code))),
                    answer("Wrote greet.", 100, 10),
                    toolCalls(100, 20, List.of(Map.entry("write_file", test), Map.entry("run_shell", Map.of("command", run)))),
                    answer("The test passes.", 100, 10),
                    answer("APPROVED: tested.", 100, 10),
                    answer("Integrated on branch feature/greet.", 100, 10));
            HydraConfig config = crewConfig(model, "capabilities: \"-\"");
            workDevelopmentTask(config, reports, "gpu-node-3", "greet", (task, result, executor) -> {
                assertThat(filter.requested).filteredOn(call -> call.taskId().equals(task.id()))
                        .extracting(ToolCall::qualifiedTool)
                        .containsExactly("filesystem-mcp.write_file", "filesystem-mcp.write_file", "shell.run");
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> toolCalls = (List<Map<String, Object>>) result.artefacts().get("toolCalls");
                assertThat(toolCalls).extracting(c -> c.get("status")).containsExactly("OK", "OK", "OK");
                List<String> testerSaw = ScriptedModelServer.toolMessages(model.requests.get(3));
                assertThat(testerSaw.get(0)).startsWith("wrote").endsWith(" characters to /workspace/" + test.get("path"));
                assertThat(testerSaw.get(1)).startsWith("sandbox\n").contains("OK")
                        .contains(python ? "Ran 1 test" : "OK");
                assertThat(executor.workspaceRoot().resolve((String) test.get("path"))).exists();
            });
        }
    }

    @Test
    void modelEndpointErrorIsReportedInterruptedSoThatTheRouterRetries() throws Exception {
        try (ScriptedModelServer model = new ScriptedModelServer(); Reports reports = new Reports(cluster)) {
            // an empty script: every model call gets HTTP 500
            HydraConfig config = HydraConfig.of("""
                    crews:
                      pollTimeout: 100ms
                      llm: {baseUrl: %s, model: %s}
                    """.formatted(model.baseUrl(), ScriptedModelServer.MODEL), Map.of());
            Lanes.skipToEnd(cluster, Crew.RESEARCH);
            try (CrewWorker worker = new CrewWorker(config, cluster.clientProps(), Crew.RESEARCH, "gpu-node-2",
                    workDir, TestRedactor.OPENAI_KEYS, TestSigning.verifier(), TestSigning.crewSigner(Crew.RESEARCH), TestSigning.writerVerifier())) {
                worker.start();
                Task task = Tasks.of(Crew.RESEARCH, 3, Map.of("action", "research_topic", "topic", "vLLM"),
                        "Research: vLLM");

                var record = Tasks.submit(producer, task);

                await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.INTERRUPTED));
                assertThat(reports.statesOf(task.id())).containsExactly(TaskState.CLAIMED, TaskState.INTERRUPTED);
                assertThat(reports.statusesOf(task.id()).get(1).detail()).startsWith("retriable error: ")
                        .contains("InternalServerException");
                assertThat(reports.resultsOf(task.id())).isEmpty();
                assertThat(model.requests).hasSizeGreaterThanOrEqualTo(1);
            }
        }
    }

    private static NodeAnnouncement announcementOf(String node) {
        try (KafkaConsumer<String, byte[]> consumer = cluster.consumer(Topics.CREW_NODES.name())) {
            NodeAnnouncement[] found = new NodeAnnouncement[1];
            await().atMost(PATIENCE).until(() -> {
                for (ConsumerRecord<String, byte[]> r : KafkaTestCluster.poll(consumer)) {
                    if (node.equals(r.key())) {
                        found[0] = Topics.CREW_NODES.valueSerde().deserialize(r.topic(), r.value());
                    }
                }
                return found[0] != null;
            });
            return found[0];
        }
    }

    private static double tokens() {
        Double value = CollectorRegistry.defaultRegistry.getSampleValue("hydra_llm_tokens_total",
                new String[]{"crew", "model"}, new String[]{"development", ScriptedModelServer.MODEL});
        return value == null ? 0 : value;
    }
}
