package dev.hydra.topics.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One call an agent wants to make on an MCP server or a built-in tool. */
public record ToolCall(String id, String taskId, Crew crew, String agent, String server, String tool,
                       Map<String, Object> arguments, List<String> resources, Instant createdAt) {

    public ToolCall {
        id = Fields.orId(id);
        Fields.text(taskId, "taskId");
        Fields.present(crew, "crew");
        agent = Fields.or(agent, "unknown");
        Fields.text(server, "server");
        Fields.text(tool, "tool");
        arguments = Fields.map(arguments);
        resources = Fields.list(resources, "resources");
        createdAt = createdAt == null ? Instant.now() : createdAt;
    }

    /** {@code server.tool}, the form the constitution names tools in. */
    public String qualifiedTool() {
        return server + "." + tool;
    }
}
