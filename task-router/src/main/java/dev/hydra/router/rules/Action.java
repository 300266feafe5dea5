package dev.hydra.router.rules;

import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskStatus;

/** What the {@link Dispatcher} decided; the topology turns each into records and metrics. */
public sealed interface Action {

    /** Why a task is published to a lane. */
    enum Why {
        NEW, PROMOTED, RELEASED, NODE_READY, RETRY
    }

    /**
     * Publish {@code task} (whose priority is the lane) with {@code attempt} in the attempt header and
     * the signature it was approved with ({@link Origin#signature}, null when it had none).
     */
    record Route(Task task, int attempt, Why why, String signature) implements Action {
    }

    /** Publish a status of a task. */
    record Report(TaskStatus status) implements Action {
    }

    /** A task dropped because the same work ({@code fingerprint}) is already open as {@code openTaskId}. */
    record Drop(Task task, String fingerprint, String openTaskId) implements Action {
    }

    /** A task that was held for a resource got it (or moved on to wait for a node). */
    record Resolved(Task task) implements Action {
    }

    /** A task interrupted as stuck; {@code retried} tells whether it will run again. */
    record Interrupted(Task task, int attempt, Liveness.Stuck reason, boolean retried) implements Action {
    }

    /** The approval of a task that already ended, put back on the approved topic: dead-lettered, not routed. */
    record Replayed(Task task, Origin origin, long endedAtMs) implements Action {
    }

    /** A task given up on: the task as approved goes to the dead-letter topic, with its origin and the reason. */
    record GiveUp(Task task, Origin origin, int attempt, String reason) implements Action {
    }
}
