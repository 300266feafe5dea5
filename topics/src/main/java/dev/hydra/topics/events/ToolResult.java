package dev.hydra.topics.events;

import java.time.Instant;

/** The answer to one tool call; keyed by the tool call's id. */
public record ToolResult(String toolCallId, String taskId, ToolStatus status, String output, Instant at) {
    public ToolResult {
        Fields.text(toolCallId, "toolCallId");
        Fields.text(taskId, "taskId");
        Fields.present(status, "status");
        output = output == null ? "" : output;
        at = at == null ? Instant.now() : at;
    }
}
