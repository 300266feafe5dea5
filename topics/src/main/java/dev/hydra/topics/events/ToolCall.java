package dev.hydra.topics.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One call an agent wants to make on an MCP server or a built-in tool. Ids and names are bounded;
 * {@code arguments} are not (a file's content is an argument), only by the broker's message size.
 * {@code replay} is set when the call belongs to a replayed task or was replayed itself (null for
 * live work); a dry-run call is judged but never executed.
 */
public record ToolCall(String id, String taskId, Crew crew, String agent, String server, String tool,
                       Map<String, Object> arguments, List<String> resources, Instant createdAt,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Replay replay) {

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

    /** A call of live work (no replay). */
    public ToolCall(String id, String taskId, Crew crew, String agent, String server, String tool,
                    Map<String, Object> arguments, List<String> resources, Instant createdAt) {
        this(id, taskId, crew, agent, server, tool, arguments, resources, createdAt, null);
    }

    /** The same call with other arguments (redaction), everything else kept. */
    public ToolCall withArguments(Map<String, Object> newArguments) {
        return new ToolCall(id, taskId, crew, agent, server, tool, newArguments, resources, createdAt, replay);
    }

    /** A copy under a new id, as part of a replay run. */
    public ToolCall replayed(String newId, Replay run, Instant at) {
        return new ToolCall(newId, taskId, crew, agent, server, tool, arguments, resources, at, run);
    }

    /** {@code server.tool}, the form the constitution names tools in. */
    public String qualifiedTool() {
        return server + "." + tool;
    }
}
