package dev.hydra.topics.events;

/**
 * The life of a task after routing, as crews and the router report it on {@code hydra.tasks.status}.
 * {@code REFUSED}: a crew read a lane record whose verdict signature did not verify and did not run it
 * (the record went to hydra.dlq); it ends nothing the router tracks, since the router's own copy is intact.
 */
public enum TaskState {
    WAITING_FOR_NODE, HELD, CLAIMED, HEARTBEAT, INTERRUPTED, RETRIED, COMPLETED, FAILED,
    /** Dropped by the router: the same work is already open under another task (named in the detail). */
    DUPLICATE,
    /** Refused by a crew before acting: the record carried no valid constitution signature. */
    REFUSED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == DUPLICATE;
    }
}
