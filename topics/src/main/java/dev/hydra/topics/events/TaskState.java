package dev.hydra.topics.events;

/** The life of a task after routing, as crews and the router report it on {@code hydra.tasks.status}. */
public enum TaskState {
    WAITING_FOR_NODE, HELD, CLAIMED, HEARTBEAT, INTERRUPTED, RETRIED, COMPLETED, FAILED,
    /** Dropped by the router: the same work is already open under another task (named in the detail). */
    DUPLICATE;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == DUPLICATE;
    }
}
