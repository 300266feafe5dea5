package dev.hydra.constitution;

import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Decision;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;

/**
 * The filter's Prometheus metrics, in the default registry (served by ops on /metrics). Counters
 * count processing, so a transaction that aborts and is retried counts its records twice; the topics
 * stay exactly-once.
 */
final class FilterMetrics {
    static final Counter TASKS_PROPOSED = Counter.build("hydra_tasks_proposed",
            "valid tasks read from hydra.tasks.proposed").register();
    static final Counter TASKS_APPROVED = Counter.build("hydra_tasks_approved",
            "tasks written to hydra.tasks.approved (allowed, or approved by a person)").register();
    static final Counter TASKS_REJECTED = Counter.build("hydra_tasks_rejected",
            "tasks written to hydra.tasks.rejected (denied, rejected by a person, or expired)").register();
    static final Counter VERDICTS = Counter.build("hydra_constitution_verdicts",
            "constitution verdicts on tasks and tool calls").labelNames("verdict", "constraint").register();
    static final Gauge APPROVAL_QUEUE = Gauge.build("hydra_approval_queue_size",
            "approval requests waiting for a decision").register();

    private FilterMetrics() {
    }

    static void verdict(Decision decision, String constraint) {
        VERDICTS.labels(decision.name(), constraint.isEmpty() ? "none" : constraint).inc();
    }

    static void emitted(Topic<?> topic) {
        if (topic == Topics.TASKS_APPROVED) {
            TASKS_APPROVED.inc();
        } else if (topic == Topics.TASKS_REJECTED) {
            TASKS_REJECTED.inc();
        }
    }
}
