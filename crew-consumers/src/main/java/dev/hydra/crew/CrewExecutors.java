package dev.hydra.crew;

import dev.hydra.crew.agent.AgentCrew;
import dev.hydra.crew.agent.CoreMemoryView;
import dev.hydra.crew.agent.Crews;
import dev.hydra.crew.agent.ToolGateway;
import dev.hydra.crew.infra.RestartServiceExecutor;
import dev.hydra.crew.infra.ServiceCatalog;
import dev.hydra.crew.tools.McpToolset;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.langchain4j.model.chat.ChatModel;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a crew can do, by action: the deterministic executors (a service restart, the pipeline's
 * {@code noop}) and the crew's agents for every other action, and how a run's errors are told apart:
 * a failed outcome is the task's, a retriable error ({@link RetriableFailure}) is the node's, and an
 * interruption is the worker's (it is closing, or the router stopped the attempt).
 */
final class CrewExecutors implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CrewExecutors.class);

    private final Crew crew;
    private final Map<String, TaskExecutor> byAction = new HashMap<>();
    private final McpToolset mcpTools;
    private TaskExecutor agents;

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
        // Every crew: a task that only exercises the pipeline (benchmarks, smoke tests), no model, no side effect.
        byAction.put(CrewWorker.NOOP_ACTION, new NoopExecutor());
        switch (crew) {
            case INFRASTRUCTURE -> {
                byAction.put(RestartServiceExecutor.ACTION, new RestartServiceExecutor(ServiceCatalog.from(config)));
                byAction.put("optimize_inference", Crews.inferenceOptimization(model, modelName, tools, limits)
                        .offering(mcpTools).remembering(memory));
            }
            case RESEARCH -> agents = Crews.research(model, modelName, tools, limits).offering(mcpTools)
                    .remembering(memory);
            case DEVELOPMENT -> agents = Crews.development(model, modelName, tools, limits).offering(mcpTools)
                    .remembering(memory);
            case SELF_IMPROVEMENT -> agents = Crews.selfImprovement(model, modelName, tools, limits,
                    proposals).offering(mcpTools).remembering(memory);
        }
    }

    /**
     * True when every task of the crew but {@code noop} goes to a model: such a worker can stand aside
     * while its endpoint is down. The infrastructure crew's restart_service needs none.
     */
    boolean allAgents() {
        return agents != null;
    }

    /** Runs {@code context}'s task; throws when the outcome is not the task's to own. */
    TaskOutcome execute(TaskContext context) throws InterruptedException, RetriableFailure {
        Task task = context.task();
        TaskExecutor executor = byAction.getOrDefault(task.action(), agents);
        if (executor == null) {
            return TaskOutcome.failed("crew " + crew + " has no executor for action '" + task.action() + "'");
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
