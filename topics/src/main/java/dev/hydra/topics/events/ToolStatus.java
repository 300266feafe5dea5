package dev.hydra.topics.events;

/** How a tool call ended, as the agent sees it. */
public enum ToolStatus {
    OK, ERROR, DENIED
}
