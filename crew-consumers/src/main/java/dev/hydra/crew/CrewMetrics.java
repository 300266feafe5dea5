package dev.hydra.crew;

import dev.hydra.topics.TaskMetrics;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;

/** The crew workers' Prometheus metrics, registered once per JVM in the default registry. */
public final class CrewMetrics {
    public static final Counter TASKS_COMPLETED = Counter.build("hydra_tasks_completed",
            "Tasks a crew finished successfully").labelNames("crew").register();
    /** Shared with the router, which counts the tasks it gives up on. */
    public static final Counter TASKS_FAILED = TaskMetrics.FAILED;
    public static final Gauge ACTIVE_AGENTS = Gauge.build("hydra_active_agents",
            "Tasks being worked on right now").labelNames("crew").register();
    public static final Counter AGENT_ERRORS = Counter.build("hydra_agent_errors",
            "Unexpected errors of agents and executors (a task that fails cleanly is not one)")
            .labelNames("crew").register();
    public static final Counter LLM_TOKENS = Counter.build("hydra_llm_tokens",
            "Tokens spent on model calls").labelNames("crew", "model").register();

    /** The model calls of agents, per crew, node and model: the series the default slow-inference query reads. */
    public static final Histogram INFERENCE_LATENCY = Histogram.build("hydra_inference_latency_seconds",
            "Latency of agents' model calls").labelNames("crew", "node", "model")
            .buckets(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120).register();

    private CrewMetrics() {
    }

    /**
     * Creates this worker's series at 0. A labelled series otherwise appears only at its first
     * event, already at 1, and Prometheus's rate() never sees that first step.
     */
    static void initialize(String crew, String model) {
        TASKS_COMPLETED.labels(crew);
        TASKS_FAILED.labels(crew);
        ACTIVE_AGENTS.labels(crew);
        AGENT_ERRORS.labels(crew);
        LLM_TOKENS.labels(crew, model);
    }
}
