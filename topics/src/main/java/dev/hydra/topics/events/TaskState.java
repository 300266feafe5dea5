package dev.hydra.topics.events;

/** The life of a task after routing, as crews and the router report it on {@code hydra.tasks.status}. */
public enum TaskState {
    WAITING_FOR_NODE, HELD, CLAIMED, HEARTBEAT, INTERRUPTED, RETRIED, COMPLETED, FAILED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED;
    }
}
