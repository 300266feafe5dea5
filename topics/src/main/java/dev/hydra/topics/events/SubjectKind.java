package dev.hydra.topics.events;

/** What an audit record or approval request is about. */
public enum SubjectKind {
    TASK, TOOL_CALL, APPROVAL, MEMORY_BLOCK
}
