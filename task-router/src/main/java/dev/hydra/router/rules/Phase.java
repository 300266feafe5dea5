package dev.hydra.router.rules;

/**
 * Where an open task is, as far as the router knows. A task holds its resources from the moment it
 * is first published (QUEUED) through CLAIMED and RETRY_PENDING until it is closed.
 */
public enum Phase {
    /** Requires capabilities no live node of its crew has. */
    WAITING_FOR_NODE,
    /** A resource it changes is held by another task. */
    HELD,
    /** Published to its lane, not claimed yet. */
    QUEUED,
    /** A crew member works on it (CLAIMED or HEARTBEAT seen). */
    CLAIMED,
    /** Interrupted; published again once its backoff has passed. */
    RETRY_PENDING
}
