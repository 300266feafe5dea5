package dev.hydra.crew;

import static dev.hydra.crew.ScriptedModelServer.answer;
import static dev.hydra.crew.ScriptedModelServer.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.crew.agent.AgentCrew;
import dev.hydra.crew.agent.Crews;
import dev.hydra.crew.agent.ToolGateway;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent logic by itself: real langchain4j OpenAI client against a scripted model server, tool
 * calls answered in memory (the Kafka path is covered by DevelopmentCrewTest). Asserts guards,
 * token counts and which tools ran.
 */
class AgentCrewTest {
    @TempDir
    Path workDir;
    private ScriptedModelServer server;
    private ChatModel model;
    private final List<ToolCall> calls = new CopyOnWriteArrayList<>();
    private final ToolGateway gateway = (call, timeout) -> {
        calls.add(call);
        return Optional.of(new ToolResult(call.id(), call.taskId(), ToolStatus.OK, "done: " + call.tool(), null));
    };

    @BeforeEach
    void startModel() throws Exception {
        server = new ScriptedModelServer();
        model = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("test").modelName(ScriptedModelServer.MODEL)
                .maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stopModel() {
        server.close();
    }

    private TaskContext context(Task task) {
        return new TaskContext(task, 1, "node-test", workDir, new StepJournal(workDir.resolve("journal"), "node-test"));
    }

    private AgentCrew optimizer(int maxIterations, int maxToolCalls, long tokenBudget) {
        return Crews.inferenceOptimization(model, ScriptedModelServer.MODEL, gateway,
                new AgentCrew.Limits(maxIterations, maxToolCalls, tokenBudget, Duration.ofSeconds(5)));
    }

    private static Task optimizeTask() {
        return Tasks.of(Crew.INFRASTRUCTURE, 3, Map.of("action", "optimize_inference", "target_metric", "latency_p95",
                "current_value", 2400, "target_value", 1500), "Optimize inference latency");
    }

    @Test
    void agentRunsItsToolsAndReportsTokensOfEveryModelCall() throws Exception {
        server.then(toolCalls(100, 20, List.of(Map.entry("read_file", Map.of("path", "config/vllm.yaml")))),
                answer("Raised max batch size; expect p95 below 1500 ms", 150, 30));

        TaskOutcome outcome = optimizer(5, 5, 10_000).execute(context(optimizeTask()));

        assertThat(outcome.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(outcome.summary()).contains("Raised max batch size");
        assertThat(outcome.tokens()).isEqualTo(300);
        assertThat(calls).extracting(ToolCall::qualifiedTool).containsExactly("filesystem-mcp.read_file");
        assertThat(calls.get(0).agent()).isEqualTo("inference_optimizer");
        assertThat(calls.get(0).resources()).containsExactly("path:/workspace/config/vllm.yaml");
        assertThat(server.requests).hasSize(2);
        assertThat(ScriptedModelServer.toolNames(server.requests.get(0)))
                .containsExactlyInAnyOrder("read_file", "run_shell", "restart_container");
        assertThat(server.requests.get(0).toString()).contains("Inference Performance Engineer").contains("latency_p95");
        assertThat(ScriptedModelServer.toolMessages(server.requests.get(1))).containsExactly("done: read_file");
    }

    @Test
    void researchCrewHandsEachAgentsAnswerToTheNext() throws Exception {
        server.then(toolCalls(50, 10, List.of(Map.entry("web_search", Map.of("query", "Kafka share groups")))),
                answer("Sources: KIP-932", 60, 10),
                answer("Analysis: queues on Kafka", 70, 10),
                answer("Recommendation: evaluate share groups for crew lanes", 80, 10));
        AgentCrew research = Crews.research(model, ScriptedModelServer.MODEL, gateway,
                new AgentCrew.Limits(10, 10, 10_000, Duration.ofSeconds(5)));
        Task task = Tasks.of(Crew.RESEARCH, 3, Map.of("action", "research_topic", "topic", "Kafka share groups"),
                "Research: Kafka share groups");

        TaskOutcome outcome = research.execute(context(task));

        assertThat(outcome.summary()).isEqualTo("Recommendation: evaluate share groups for crew lanes");
        assertThat(calls).extracting(ToolCall::qualifiedTool, ToolCall::agent)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("searxng-mcp.search", "web_searcher"));
        assertThat(server.requests).hasSize(4);
        assertThat(server.requests.get(2).toString()).contains("Technical Document Analyst")
                .contains("Hand-off from web_searcher").contains("Sources: KIP-932");
        assertThat(server.requests.get(3).toString()).contains("Research Synthesizer")
                .contains("Hand-off from document_reader").contains("Analysis: queues on Kafka");
        assertThat(outcome.tokens()).isEqualTo(300);
    }

    @Test
    void taskOverItsTokenBudgetFailsWithTheReason() throws Exception {
        server.then(toolCalls(90, 20, List.of(Map.entry("run_shell", Map.of("command", "nvidia-smi")))),
                answer("never reached", 10, 10));

        TaskOutcome outcome = optimizer(5, 5, 100).execute(context(optimizeTask()));

        assertThat(outcome.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(outcome.summary()).contains("token budget exceeded: 110 tokens used, 100 allowed");
        assertThat(outcome.tokens()).isEqualTo(110);
        assertThat(calls).isEmpty();
    }

    @Test
    void taskOverItsToolCallLimitFailsBeforeTheNextModelCall() throws Exception {
        server.then(toolCalls(10, 10, List.of(Map.entry("read_file", Map.of("path", "a")),
                        Map.entry("read_file", Map.of("path", "b")))),
                answer("never reached", 10, 10));

        TaskOutcome outcome = optimizer(5, 1, 10_000).execute(context(optimizeTask()));

        assertThat(outcome.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(outcome.summary()).contains("maximum tool calls exceeded: 1 allowed per task");
        assertThat(calls).hasSize(1);
        assertThat(server.requests).hasSize(1);
    }

    @Test
    void agentThatKeepsCallingToolsStopsAtTheIterationLimit() throws Exception {
        for (int i = 0; i < 4; i++) {
            server.then(toolCalls(10, 10, List.of(Map.entry("run_shell", Map.of("command", "uptime")))));
        }

        TaskOutcome outcome = optimizer(3, 50, 10_000).execute(context(optimizeTask()));

        assertThat(outcome.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(outcome.summary()).contains("maximum agent iterations exceeded: 3 model calls allowed");
        assertThat(server.requests).hasSize(3);
        assertThat(calls).hasSize(3);
    }

    @Test
    void selfImprovementProposesValidTasksOncePerAttempt() throws Exception {
        String proposals = """
                Here you go:
                [{"description": "Add an index to the tasks table", "crew": "development", "priority": 2, "impact": 70,
                  "action": "complete_feature", "details": {"feature": "tasks index"}},
                 {"description": "Bad one", "crew": "marketing", "priority": 2, "action": "x"}]""";
        server.then(answer(proposals, 200, 80), answer(proposals, 200, 80));
        List<Task> proposed = new CopyOnWriteArrayList<>();
        AgentCrew crew = Crews.selfImprovement(model, ScriptedModelServer.MODEL, gateway,
                new AgentCrew.Limits(3, 3, 10_000, Duration.ofSeconds(5)), proposed::add);
        Task iteration = Tasks.of(Crew.SELF_IMPROVEMENT, 4, Map.of("action", "analyze_iteration", "iteration", 7,
                "metrics", Map.of("tasks_failed", 5, "p95_latency_ms", 2400)), "Learn from iteration 7");

        TaskOutcome first = crew.execute(context(iteration));
        TaskOutcome redelivered = crew.execute(context(iteration));

        assertThat(first.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(first.summary()).isEqualTo("proposed 1 task(s), skipped 1 invalid");
        assertThat(proposed).hasSize(1);
        Task task = proposed.get(0);
        assertThat(task.crew()).isEqualTo(Crew.DEVELOPMENT);
        assertThat(task.task()).containsEntry("action", "complete_feature").containsEntry("feature", "tasks index");
        assertThat(task.source()).isEqualTo("self-improvement:" + iteration.id());
        assertThat(server.requests.get(0).toString()).contains("tasks_failed").contains("Self-Improvement Agent");
        assertThat(redelivered.artefacts().get("proposedTaskIds")).isEqualTo(List.of(task.id()));
        assertThat(first.tokens()).isEqualTo(280);
    }

    @Test
    void theSelfImprovementAgentIsToldEachCrewsActionsAndAProposalOfAnotherIsSkippedWithThem() throws Exception {
        String proposals = """
                [{"description": "Tidy the repo", "crew": "development", "priority": 3, "action": "tidy"},
                 {"description": "Research caching", "crew": "research", "priority": 3, "action": "research_topic",
                  "details": {"topic": "caching"}}]""";
        server.then(answer(proposals, 200, 80));
        List<Task> proposed = new CopyOnWriteArrayList<>();
        AgentCrew crew = Crews.selfImprovement(model, ScriptedModelServer.MODEL, gateway,
                new AgentCrew.Limits(3, 3, 10_000, Duration.ofSeconds(5)), proposed::add);
        Task iteration = Tasks.of(Crew.SELF_IMPROVEMENT, 4, Map.of("action", "analyze_iteration", "iteration", 9),
                "Learn from iteration 9");

        TaskOutcome outcome = crew.execute(context(iteration));

        assertThat(outcome.summary()).isEqualTo("proposed 1 task(s), skipped 1 invalid");
        assertThat(proposed).singleElement().satisfies(task -> assertThat(task.action()).isEqualTo("research_topic"));
        assertThat((List<?>) outcome.artefacts().get("skippedProposals")).singleElement().asString()
                .contains("proposal 0", "task.action 'tidy'", "[complete_feature, fix_bug, update_documentation, noop]");
        assertThat(server.requests.get(0).toString()).contains("research: research_topic, evaluate_technology;")
                .contains("development: complete_feature, fix_bug, update_documentation;")
                .contains("infrastructure: optimize_inference.");
    }

    /**
     * A proposal's id made of the proposing task, attempt and number could be computed by anyone who
     * saw that task: a task published first under it would be tracked by the router in the proposal's
     * place, and the agent's real proposal then ignored as a redelivery of an open task.
     */
    @Test
    void aProposalsIdCannotBeComputedFromTheTaskThatProposedIt() throws Exception {
        String proposals = """
                [{"description": "Add an index", "crew": "development", "priority": 2, "impact": 70,
                  "action": "complete_feature", "details": {"feature": "tasks index"}}]""";
        server.then(answer(proposals, 200, 80));
        List<Task> proposed = new CopyOnWriteArrayList<>();
        AgentCrew crew = Crews.selfImprovement(model, ScriptedModelServer.MODEL, gateway,
                new AgentCrew.Limits(3, 3, 10_000, Duration.ofSeconds(5)), proposed::add);
        Task iteration = Tasks.of(Crew.SELF_IMPROVEMENT, 4, Map.of("action", "analyze_iteration", "iteration", 8,
                "metrics", Map.of("tasks_failed", 1)), "Learn from iteration 8");

        assertThat(crew.execute(context(iteration)).outcome()).isEqualTo(Outcome.SUCCEEDED);

        String computed = java.util.UUID.nameUUIDFromBytes((iteration.id() + "/1/proposal/0")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        assertThat(proposed).singleElement().satisfies(task -> assertThat(task.id()).isNotEqualTo(computed));
    }

    @Test
    void aSecretInAMemoryAnswerIsRedactedBeforeTheAgentsNextModelCall() throws Exception {
        ToolGateway memory = (call, timeout) -> {
            calls.add(call);
            return Optional.of(new ToolResult(call.id(), call.taskId(), ToolStatus.OK, "- [0.91] the staging key is "
                    + TestRedactor.SECRET + " (task t1, infrastructure)", null));
        };
        AgentCrew crew = Crews.inferenceOptimization(model, ScriptedModelServer.MODEL, memory,
                new AgentCrew.Limits(5, 5, 10_000, Duration.ofSeconds(5)))
                .remembering(dev.hydra.crew.agent.CoreMemoryView.of(List.of(), TestRedactor.OPENAI_KEYS));
        server.then(toolCalls(100, 20, List.of(Map.entry("archival_memory_search", Map.of("query", "staging key")))),
                answer("nothing to change", 150, 30));

        TaskOutcome outcome = crew.execute(context(optimizeTask()));

        assertThat(outcome.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(calls).extracting(ToolCall::qualifiedTool).containsExactly("memory.archival_memory_search");
        assertThat(ScriptedModelServer.toolMessages(server.requests.get(1))).singleElement().satisfies(message ->
                assertThat(message).doesNotContain(TestRedactor.SECRET).contains("[REDACTED:openai_api_key]"));
    }
}
