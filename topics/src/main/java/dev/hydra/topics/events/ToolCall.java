package dev.hydra.topics.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One call an agent wants to make on an MCP server or a built-in tool. Ids and names are bounded;
 * {@code arguments} are not (a file's content is an argument), only by the broker's message size.
 */
public record ToolCall(String id, String taskId, Crew crew, String agent, String server, String tool,
                       Map<String, Object> arguments, List<String> resources, Instant createdAt) {

    public ToolCall {
        id = Fields.bounded(Fields.orId(id), Fields.MAX_NAME, "id");
        Fields.bounded(Fields.text(taskId, "taskId"), Fields.MAX_NAME, "taskId");
        Fields.present(crew, "crew");
        agent = Fields.bounded(Fields.or(agent, "unknown"), Fields.MAX_NAME, "agent");
        Fields.bounded(Fields.text(server, "server"), Fields.MAX_NAME, "server");
        Fields.bounded(Fields.text(tool, "tool"), Fields.MAX_NAME, "tool");
        arguments = Fields.map(arguments);
        resources = Fields.list(resources, "resources");
        createdAt = createdAt == null ? Instant.now() : createdAt;
    }

    /** {@code server.tool}, the form the constitution names tools in. */
    public String qualifiedTool() {
        return server + "." + tool;
    }
}
