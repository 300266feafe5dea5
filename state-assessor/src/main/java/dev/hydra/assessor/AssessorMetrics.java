package dev.hydra.assessor;

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

    private AssessorMetrics() {
    }
}
