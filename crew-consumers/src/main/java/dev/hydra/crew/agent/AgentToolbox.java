package dev.hydra.crew.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hydra.crew.tools.McpToolset.McpTool;
import dev.hydra.crew.tools.ToolCatalog;
import dev.hydra.crew.tools.ToolCatalog.ToolDef;
import dev.hydra.topics.Json;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The tools of one task's agents, as langchain4j sees them. Each tool is a thin delegate: it turns
 * the model's request into a {@link ToolCall} whose id nobody can compute in advance (task, attempt and
 * call number with a random part of this toolbox's own), sends it through the {@link ToolGateway} and
 * hands the answer back to the model. An id made of task, attempt and call number alone could be
 * computed by anyone who saw the task: a call published first under it was run and its output handed
 * to the agent as the answer to its own call, which never ran (the executor's journal replays what it
 * ran under an id). Nothing reran an attempt with the same ids anyway: a worker never runs an attempt
 * that was already claimed, and the router's retry is the next attempt.
 * A denial is returned as a refusal text, so the model can change course.
 */
public final class AgentToolbox {

    /** One call as it went, for the task's artefacts and for tests. */
    public record Trace(String agent, String tool, String toolCallId, ToolStatus status) {
    }

    private final String taskId;
    private final int attempt;
    private final Crew crew;
    private final ToolGateway gateway;
    private final Duration timeout;
    private final TaskBudget budget;
    private final Replay replay;
    private final java.util.function.UnaryOperator<String> answers;
    private final AtomicInteger sequence = new AtomicInteger();
    /** The random part of this toolbox's call ids. */
    private final String nonce = UUID.randomUUID().toString();
    private final List<Trace> traces = new CopyOnWriteArrayList<>();

    /** @param replay the task's replay (null for live work): its calls carry it, so a dry run's are never executed */
    public AgentToolbox(String taskId, int attempt, Crew crew, ToolGateway gateway, Duration timeout,
                        TaskBudget budget, Replay replay) {
        this(taskId, attempt, crew, gateway, timeout, budget, replay, text -> text);
    }

    /**
     * @param answers applied to every answer before the agent reads it: the memory projector answers
     *                from blocks and passages that were not all judged by the constitution, and what the
     *                agent reads goes out with its next model call
     */
    public AgentToolbox(String taskId, int attempt, Crew crew, ToolGateway gateway, Duration timeout,
                        TaskBudget budget, Replay replay, java.util.function.UnaryOperator<String> answers) {
        this.answers = answers;
        this.replay = replay;
        this.taskId = taskId;
        this.attempt = attempt;
        this.crew = crew;
        this.gateway = gateway;
        this.timeout = timeout;
        this.budget = budget;
    }

    /** Where a model's call goes: the server and tool of its {@code ToolCall} and the resources it touches. */
    private record Target(String name, String server, String tool, Function<Map<String, Object>, List<String>> resources) {
        String qualified() {
            return server + "." + tool;
        }
    }

    /** The tools of {@code agent}, for {@code AiServices.tools(Map)}. */
    public Map<ToolSpecification, ToolExecutor> forAgent(String agent, List<String> toolNames) {
        return forAgent(agent, toolNames, List.of());
    }

    /** The built-in tools of {@code agent} and the discovered MCP tools its crew is offered. */
    public Map<ToolSpecification, ToolExecutor> forAgent(String agent, List<String> toolNames, List<McpTool> mcpTools) {
        Map<ToolSpecification, ToolExecutor> tools = new LinkedHashMap<>();
        for (String name : toolNames) {
            ToolDef def = ToolCatalog.get(name);
            Target target = new Target(name, def.server(), def.tool(),
                    arguments -> ToolCatalog.resources(def.server(), def.tool(), arguments));
            tools.put(def.specification(), (request, memoryId) -> call(agent, target, request));
        }
        for (McpTool tool : mcpTools) {
            Target target = new Target(tool.name(), tool.server().name(), tool.tool(), tool::resources);
            tools.put(tool.specification(), (request, memoryId) -> call(agent, target, request));
        }
        return tools;
    }

    public List<Trace> traces() {
        return List.copyOf(traces);
    }

    private String call(String agent, Target target, ToolExecutionRequest request) {
        if (!budget.tryToolCall()) {
            return "REFUSED: " + budget.exceeded() + ". Stop calling tools.";
        }
        Map<String, Object> arguments;
        try {
            String raw = request.arguments() == null || request.arguments().isBlank() ? "{}" : request.arguments();
            arguments = Json.MAPPER.readValue(raw, new TypeReference<Map<String, Object>>() { });
        } catch (Exception e) {
            return "ERROR: the arguments of " + target.name() + " are not a JSON object: " + e.getMessage();
        }
        int n = sequence.incrementAndGet();
        String id = UUID.nameUUIDFromBytes((taskId + "/" + attempt + "/tool/" + n + "/" + nonce)
                .getBytes(StandardCharsets.UTF_8))
                .toString();
        ToolCall call = new ToolCall(id, taskId, crew, agent, target.server(), target.tool(), arguments,
                target.resources().apply(arguments), Instant.now(), replay);
        Optional<ToolResult> result;
        try {
            result = gateway.call(call, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for tool call " + id, e);
        }
        if (result.isEmpty()) {
            traces.add(new Trace(agent, target.qualified(), id, ToolStatus.ERROR));
            return "ERROR: no answer to " + target.qualified() + " within " + timeout + " (it may still be pending "
                    + "human approval).";
        }
        ToolResult got = result.get();
        ToolResult answer = new ToolResult(got.toolCallId(), got.taskId(), got.status(), answers.apply(got.output()),
                got.at());
        traces.add(new Trace(agent, target.qualified(), id, answer.status()));
        return switch (answer.status()) {
            case OK -> answer.output();
            case ERROR -> "ERROR: " + answer.output();
            case DENIED -> "DENIED by Hydra's constitution: " + answer.output()
                    + ". Do not retry this call; choose another way or report that it cannot be done.";
            case REFUSED -> "REFUSED by the tool executor (the call's approval did not verify): " + answer.output();
        };
    }
}
