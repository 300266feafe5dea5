package dev.hydra.topics.events;

/** How a task ended. */
public enum Outcome {
    SUCCEEDED, FAILED
}
