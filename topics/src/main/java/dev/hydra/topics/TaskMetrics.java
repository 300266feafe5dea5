package dev.hydra.topics;

import io.prometheus.client.Counter;

/**
 * The task counter two services write: a crew counts the tasks it finished as failed, the router
 * the ones it gave up on after their last attempt (a worker that never got to finish them cannot).
 * One series per crew, registered once per JVM whichever services run in it.
 */
public final class TaskMetrics {
    public static final Counter FAILED = Counter.build("hydra_tasks_failed",
            "Tasks that ended FAILED: finished as failed by a crew, or given up on by the router").labelNames("crew")
            .register();

    private TaskMetrics() {
    }
}
