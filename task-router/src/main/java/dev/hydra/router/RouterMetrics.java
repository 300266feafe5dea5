package dev.hydra.router;

import dev.hydra.router.rules.Dispatcher;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import java.util.Map;

/** The router's Prometheus metrics, in the default registry (served by ops at /metrics). */
final class RouterMetrics {
    static final Counter ROUTED = Counter.build("hydra_tasks_routed",
            "tasks published to a crew lane (new, promoted, released, node ready or retried)")
            .labelNames("crew", "lane").register();
    /**
     * Tasks the router published to a lane and has seen no CLAIMED, HEARTBEAT or terminal status for
     * yet. A promoted task counts in its new lane only; its older copy left in the lower lane is not
     * counted, because crews skip it. Updated on every check interval.
     */
    static final Gauge QUEUE_DEPTH = Gauge.build("hydra_task_queue_depth",
            "published, unclaimed tasks per crew lane, as known from hydra.tasks.status")
            .labelNames("crew", "lane").register();
    static final Counter DEDUPLICATED = Counter.build("hydra_tasks_deduplicated",
            "approved tasks dropped because the same work (crew, action, target) was already open").register();
    static final Counter CONFLICTS = Counter.build("hydra_conflicts",
            "tasks held because a resource they change was held by another task").register();
    static final Counter CONFLICTS_RESOLVED = Counter.build("hydra_conflicts_resolved",
            "held tasks released after the holder finished, failed or timed out").register();
    static final Counter PROMOTED = Counter.build("hydra_tasks_promoted",
            "unclaimed tasks moved one lane up by aging").labelNames("crew").register();
    static final Counter INTERRUPTED = Counter.build("hydra_tasks_interrupted",
            "claimed tasks interrupted (missed heartbeat, task timeout or the crew's own interruption)")
            .labelNames("crew", "reason").register();
    static final Counter ABANDONED = Counter.build("hydra_tasks_abandoned",
            "tasks marked FAILED and dead-lettered after their last attempt").labelNames("crew").register();

    private RouterMetrics() {
    }

    static void queueDepth(Map<Dispatcher.Lane, Integer> depth) {
        depth.forEach((lane, count) -> QUEUE_DEPTH.labels(lane.crew().wireName(), Integer.toString(lane.priority()))
                .set(count));
    }
}
