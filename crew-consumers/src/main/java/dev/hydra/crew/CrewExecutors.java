package dev.hydra.crew;

import dev.hydra.crew.agent.AgentCrew;
import dev.hydra.crew.agent.CoreMemoryView;
import dev.hydra.crew.agent.Crews;
import dev.hydra.crew.agent.ToolGateway;
import dev.hydra.crew.infra.RestartServiceExecutor;
import dev.hydra.crew.infra.ServiceCatalog;
import dev.hydra.crew.tools.McpToolset;
import dev.hydra.topics.actions.CrewAction;
import dev.hydra.topics.actions.CrewActions;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.langchain4j.model.chat.ChatModel;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a crew can do, by action: an executor for exactly each action the contract declares for the
 * crew ({@link CrewActions}, actions.table): the deterministic ones (a service restart, the pipeline's
 * {@code noop}) and the crew's agents for the actions declared run by agents. No action outside the
 * table reaches a model. And how a run's errors are told apart: a failed outcome is the task's, a
 * retriable error ({@link RetriableFailure}) is the node's, and an interruption is the worker's (it is
 * closing, or the router stopped the attempt).
 */
final class CrewExecutors implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CrewExecutors.class);

    private final Crew crew;
    private final Map<String, TaskExecutor> byAction;
    private final McpToolset mcpTools;

    CrewExecutors(HydraConfig config, Crew crew, String workerName, ChatModel model, ToolGateway tools,
                  CoreMemoryView memory, Crews.TaskProposer proposals) {
        this.crew = crew;
        String modelName = config.get(CrewSettings.LLM_MODEL);
        AgentCrew.Limits limits = new AgentCrew.Limits(config.get(CrewSettings.MAX_ITERATIONS),
                config.get(CrewSettings.MAX_TOOL_CALLS), config.get(CrewSettings.TOKEN_BUDGET),
                config.get(CrewSettings.TOOL_TIMEOUT));
        // The discovered tools of the MCP servers this crew is offered.
        mcpTools = McpToolset.forCrew(config, crew, config.get(CrewSettings.TOOL_TIMEOUT));
        mcpTools.discoverInBackground(workerName);
        Map<String, TaskExecutor> deterministic = new HashMap<>();
        // Every crew: a task that only exercises the pipeline (benchmarks, smoke tests), no model, no side effect.
        deterministic.put(CrewWorker.NOOP_ACTION, new NoopExecutor());
        if (crew == Crew.INFRASTRUCTURE) {
            deterministic.put(RestartServiceExecutor.ACTION, new RestartServiceExecutor(ServiceCatalog.from(config)));
        }
        boolean needsAgents = CrewActions.standard().of(crew).stream()
                .anyMatch(a -> a.runBy() == CrewAction.RunBy.AGENTS);
        AgentCrew agents = !needsAgents ? null : (switch (crew) {
            case INFRASTRUCTURE -> Crews.inferenceOptimization(model, modelName, tools, limits);
            case RESEARCH -> Crews.research(model, modelName, tools, limits);
            case DEVELOPMENT -> Crews.development(model, modelName, tools, limits);
            case SELF_IMPROVEMENT -> Crews.selfImprovement(model, modelName, tools, limits, proposals);
        }).offering(mcpTools).remembering(memory);
        try {
            byAction = wire(crew, CrewActions.standard().of(crew), deterministic, agents);
        } catch (IllegalStateException e) {
            mcpTools.close();
            throw e;
        }
    }

    /**
     * One executor per declared action: a deterministic one by its action's name, or the agents. Fails
     * at start (the worker does not come up) when a declared action has no executor, or when a
     * deterministic executor serves an action the contract does not declare for the crew: the table
     * and what the crew runs cannot drift apart.
     */
    static Map<String, TaskExecutor> wire(Crew crew, List<CrewAction> declared, Map<String, TaskExecutor> deterministic,
                                          TaskExecutor agents) {
        Map<String, TaskExecutor> unused = new HashMap<>(deterministic);
        Map<String, TaskExecutor> byAction = new LinkedHashMap<>();
        for (CrewAction action : declared) {
            TaskExecutor executor = action.runBy() == CrewAction.RunBy.AGENTS ? agents : unused.remove(action.name());
            if (executor == null) {
                throw new IllegalStateException("crew " + crew + " declares action " + action.name() + " (run by "
                        + action.runBy().word() + ", actions.table) but has no executor for it");
            }
            byAction.put(action.name(), executor);
        }
        if (!unused.isEmpty()) {
            throw new IllegalStateException("crew " + crew + " has executors for " + new TreeSet<>(unused.keySet())
                    + ", which actions.table does not declare for it (it declares "
                    + declared.stream().map(CrewAction::name).toList() + ")");
        }
        return Collections.unmodifiableMap(byAction);
    }

    /** The actions this crew runs, in table order, each with whether its agents run it. */
    Map<String, Boolean> actions() {
        Map<String, Boolean> all = new LinkedHashMap<>();
        byAction.forEach((action, executor) -> all.put(action, executor instanceof AgentCrew));
        return all;
    }

    /**
     * True when every task of the crew but {@code noop} goes to a model: such a worker can stand aside
     * while its endpoint is down. The infrastructure crew's restart_service needs none.
     */
    boolean allAgents() {
        return actions().entrySet().stream().filter(e -> !e.getKey().equals(CrewWorker.NOOP_ACTION))
                .allMatch(Map.Entry::getValue);
    }

    /** Runs {@code context}'s task; throws when the outcome is not the task's to own. */
    TaskOutcome execute(TaskContext context) throws InterruptedException, RetriableFailure {
        Task task = context.task();
        TaskExecutor executor = byAction.get(task.action());
        if (executor == null) {
            // The doors refuse such a task; one that got past them (routed before the table said so) fails here.
            return TaskOutcome.failed(CrewActions.standard().refusal(task).orElse("crew " + crew
                    + " has no executor for action '" + task.action() + "'"));
        }
        TaskOutcome outcome;
        try {
            outcome = executor.execute(context);
        } catch (InterruptedException e) {
            throw e;
        } catch (StepJournal.UnconfirmedStepException e) {
            return TaskOutcome.failed(e.getMessage());
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("interrupted: " + e.getMessage());
            }
            CrewMetrics.AGENT_ERRORS.labels(crew.wireName()).inc();
            if (RetriableFailure.isRetriable(e)) {
                throw new RetriableFailure(e);
            }
            LOG.warn("task {} failed unexpectedly", task.id(), e);
            return TaskOutcome.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (outcome.outcome() == Outcome.FAILED && Thread.currentThread().isInterrupted()) {
            // A failure caused by the shutdown is not the task's failure.
            throw new InterruptedException("interrupted: " + outcome.summary());
        }
        return outcome;
    }

    @Override
    public void close() {
        mcpTools.close();
    }
}
