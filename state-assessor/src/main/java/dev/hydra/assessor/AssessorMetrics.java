package dev.hydra.assessor;

import dev.hydra.topics.events.IterationReport;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;

/** The assessor's Prometheus metrics, registered once in the default registry (served by ops at /metrics). */
final class AssessorMetrics {
    static final Counter ASSESSMENTS = Counter.build("hydra_assessments", "State assessments completed")
            .register();
    static final Gauge SERVICE_UP = Gauge.build("hydra_service_up", "1 when the service's last probe passed, else 0")
            .labelNames("service").register();
    static final Counter TASKS_PROPOSED = Counter.build("hydra_tasks_proposed_by_assessor",
            "Tasks the state assessor proposed, by the rule that found the gap").labelNames("rule").register();

    static final Gauge ITERATION_ERROR_RATE = Gauge.build("hydra_iteration_error_rate",
            "Failed of ended tasks in the last assessment iteration (0 to 1), per crew and action")
            .labelNames("crew", "action").register();
    static final Gauge ITERATION_TASKS = Gauge.build("hydra_iteration_tasks",
            "Tasks that ended in the last assessment iteration, per crew, action and outcome")
            .labelNames("crew", "action", "outcome").register();
    static final Gauge APPROVALS_WAITING = Gauge.build("hydra_approvals_waiting",
            "Items parked for a person at the end of the last assessment iteration").register();

    private AssessorMetrics() {
    }

    /** The last iteration's figures: a crew and action with no result in it drops to 0 tasks. */
    static synchronized void observe(IterationReport report) {
        ITERATION_TASKS.clear();
        ITERATION_ERROR_RATE.clear();
        for (IterationReport.ActionStats row : report.actions()) {
            ITERATION_TASKS.labels(row.crew().wireName(), row.action(), "completed").set(row.completed());
            ITERATION_TASKS.labels(row.crew().wireName(), row.action(), "failed").set(row.failed());
            ITERATION_ERROR_RATE.labels(row.crew().wireName(), row.action()).set(row.errorRate());
        }
        APPROVALS_WAITING.set(report.approvalsWaiting());
    }
}
