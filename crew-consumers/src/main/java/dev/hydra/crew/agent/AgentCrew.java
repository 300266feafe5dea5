package dev.hydra.crew.agent;

import dev.hydra.crew.TaskContext;
import dev.hydra.crew.TaskExecutor;
import dev.hydra.crew.TaskOutcome;
import dev.hydra.crew.tools.McpToolset;
import dev.hydra.crew.tools.ToolCatalog;
import dev.hydra.topics.Json;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.AiServices;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A crew of agents working one task in turn, each handing its answer to the next (the seed's
 * crewAI tasks with {@code context}). The model, the tool gateway and what happens with the final
 * answer are given; everything here is plain Java, tested against a scripted model server.
 */
public final class AgentCrew implements TaskExecutor {

    /** The guards of every task of a crew (from {@code crews:} in hydra.yaml). */
    public record Limits(int maxIterations, int maxToolCalls, long tokenBudget, Duration toolTimeout) {
    }

    /**
     * One agent's turn: which AI service, its tools, and what it is asked to do. Its tools are offered
     * tools of the contract's vocabulary, so the constitution understands every call it can make.
     */
    public record Stage<T>(String agent, Class<T> type, BiFunction<T, String, String> call, List<String> tools,
                           String instruction) {
        public Stage {
            tools = List.copyOf(tools);
            for (String tool : tools) {
                if (ToolCatalog.find(tool).isEmpty()) {
                    throw new IllegalArgumentException(agent + " is offered " + tool + ", which the tool vocabulary "
                            + "(topics' tools.table) does not offer; offered: " + ToolCatalog.names());
                }
            }
        }
    }

    /** What the crew does with the agents' answers once all have spoken; the default reports the last. */
    @FunctionalInterface
    public interface Finisher {
        TaskOutcome finish(TaskContext context, Map<String, String> answers, Map<String, Object> artefacts,
                           long tokens) throws Exception;
    }

    private static final int MAX_ARTEFACT_CHARS = 4_000;
    private static final int MEMORY_MESSAGES = 60;

    private final Crew crew;
    private final List<Stage<?>> stages;
    private final ChatModel model;
    private final String modelName;
    private final ToolGateway gateway;
    private final Limits limits;
    private final Finisher finisher;
    private final McpToolset mcp;
    private final CoreMemoryView memory;

    /** Letta's memory tools, offered to every agent of a crew that has {@linkplain #remembering memory}. */
    public static final List<String> MEMORY_TOOLS = List.of("core_memory_append", "core_memory_replace",
            "archival_memory_search", "archival_memory_insert", "recall_search");

    public AgentCrew(Crew crew, List<Stage<?>> stages, ChatModel model, String modelName, ToolGateway gateway,
                     Limits limits, Finisher finisher) {
        this(crew, stages, model, modelName, gateway, limits, finisher, McpToolset.none(), null);
    }

    private AgentCrew(Crew crew, List<Stage<?>> stages, ChatModel model, String modelName, ToolGateway gateway,
                      Limits limits, Finisher finisher, McpToolset mcp, CoreMemoryView memory) {
        this.mcp = mcp;
        this.memory = memory;
        this.crew = crew;
        this.stages = List.copyOf(stages);
        this.model = model;
        this.modelName = modelName;
        this.gateway = gateway;
        this.limits = limits;
        this.finisher = finisher;
    }

    /** The default finisher: the last agent's answer is the task's summary. */
    public static Finisher lastAnswer() {
        return (context, answers, artefacts, tokens) -> {
            String last = answers.isEmpty() ? "" : List.copyOf(answers.values()).get(answers.size() - 1);
            return TaskOutcome.succeeded(last, artefacts, tokens);
        };
    }

    /**
     * This crew with the discovered tools of {@code mcp} (the MCP servers the config offers this crew)
     * offered to every agent besides its built-in tools.
     */
    public AgentCrew offering(McpToolset mcp) {
        return new AgentCrew(crew, stages, model, modelName, gateway, limits, finisher, mcp, memory);
    }

    /**
     * This crew with memory in the loop: every system prompt ends with the crew's core block and
     * hydra_state as {@code view} shows them at that call, and every agent is offered the memory tools.
     */
    public AgentCrew remembering(CoreMemoryView view) {
        return new AgentCrew(crew, stages, model, modelName, gateway, limits, finisher, mcp, view);
    }

    /** The MCP tools every agent is offered; listing them connects servers that have not answered yet. */
    public List<McpToolset.McpTool> mcpTools() {
        return mcp.tools();
    }

    public Crew crew() {
        return crew;
    }

    /** The built-in tools each agent of the crew is offered, by agent. */
    public Map<String, List<String>> tools() {
        Map<String, List<String>> tools = new LinkedHashMap<>();
        stages.forEach(stage -> tools.put(stage.agent(), offered(stage)));
        return tools;
    }

    private List<String> offered(Stage<?> stage) {
        if (memory == null) {
            return stage.tools();
        }
        List<String> tools = new java.util.ArrayList<>(stage.tools());
        MEMORY_TOOLS.stream().filter(tool -> !tools.contains(tool)).forEach(tools::add);
        return tools;
    }

    @Override
    public TaskOutcome execute(TaskContext context) throws Exception {
        TaskBudget budget = new TaskBudget(limits.maxIterations(), limits.maxToolCalls(), limits.tokenBudget());
        AgentToolbox toolbox = new AgentToolbox(context.task().id(), context.attempt(), crew, gateway,
                limits.toolTimeout(), budget, context.task().replay(),
                memory == null ? text -> text : memory::redact);
        ChatModel guarded = new GuardedChatModel(model, budget, crew.wireName(), modelName);
        if (memory != null) {
            guarded = MemoryPrompt.carrying(guarded, crew, memory);
        }
        Map<String, String> answers = new LinkedHashMap<>();
        List<McpToolset.McpTool> discovered = mcp.tools();
        try {
            for (Stage<?> stage : stages) {
                answers.put(stage.agent(), run(stage, guarded, toolbox, discovered,
                        assignment(context.task(), answers, stage)));
            }
            return finisher.finish(context, answers, artefacts(answers, toolbox, budget), budget.tokens());
        } catch (RuntimeException e) {
            String exceeded = budget.exceeded() != null ? budget.exceeded() : exceededIn(e);
            if (exceeded == null) {
                throw e;
            }
            return TaskOutcome.failed(exceeded, artefacts(answers, toolbox, budget), budget.tokens());
        }
    }

    private <T> String run(Stage<T> stage, ChatModel guarded, AgentToolbox toolbox, List<McpToolset.McpTool> discovered,
                           String assignment) {
        AiServices<T> builder = AiServices.builder(stage.type()).chatModel(guarded)
                .chatMemory(MessageWindowChatMemory.withMaxMessages(MEMORY_MESSAGES))
                // The budget, not langchain4j, decides when tool use ends; this is only a backstop.
                .maxSequentialToolsInvocations(limits.maxToolCalls() + limits.maxIterations() + 1);
        List<String> tools = offered(stage);
        if (!tools.isEmpty() || !discovered.isEmpty()) {
            builder.tools(toolbox.forAgent(stage.agent(), tools, discovered));
        }
        String answer = stage.call().apply(builder.build(), assignment);
        return answer == null ? "" : answer;
    }

    /** The task, the hand-offs of the agents before, and this agent's part. */
    static String assignment(Task task, Map<String, String> answers, Stage<?> stage) {
        StringBuilder text = new StringBuilder();
        text.append("Task ").append(task.id()).append(" (priority ").append(task.priority()).append("): ")
                .append(task.description()).append('\n');
        text.append("Task details: ").append(Json.write(task.task())).append('\n');
        answers.forEach((agent, answer) -> text.append("\n## Hand-off from ").append(agent).append(":\n")
                .append(answer).append('\n'));
        text.append("\nYour part: ").append(stage.instruction());
        return text.toString();
    }

    private Map<String, Object> artefacts(Map<String, String> answers, AgentToolbox toolbox, TaskBudget budget) {
        Map<String, Object> artefacts = new LinkedHashMap<>();
        artefacts.put("model", modelName);
        Map<String, String> cut = new LinkedHashMap<>();
        answers.forEach((agent, answer) -> cut.put(agent, answer.length() <= MAX_ARTEFACT_CHARS ? answer
                : answer.substring(0, MAX_ARTEFACT_CHARS) + "…"));
        artefacts.put("answers", cut);
        artefacts.put("toolCalls", toolbox.traces().stream().map(t -> Map.of("agent", t.agent(), "tool", t.tool(),
                "id", t.toolCallId(), "status", t.status().name())).toList());
        artefacts.put("modelCalls", budget.iterations());
        return artefacts;
    }

    private static String exceededIn(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof TaskBudget.ExceededException exceeded) {
                return exceeded.getMessage();
            }
        }
        return null;
    }
}
