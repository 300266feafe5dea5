package dev.hydra.topics.events;

import java.time.Instant;

/** A status change of a task; keyed by task id. */
public record TaskStatus(String taskId, Crew crew, TaskState state, String node, int attempt, String detail,
                         Instant at) {
    /** The node name on the statuses the task router writes (WAITING_FOR_NODE, RETRIED, a timeout's INTERRUPTED, …). */
    public static final String ROUTER = "task-router";

    public TaskStatus {
        Fields.text(taskId, "taskId");
        Fields.present(crew, "crew");
        Fields.present(state, "state");
        node = node == null ? "" : node;
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        detail = detail == null ? "" : detail;
        at = at == null ? Instant.now() : at;
    }

    /** True if the task router wrote this status, not a crew. */
    public boolean byRouter() {
        return ROUTER.equals(node);
    }
}
