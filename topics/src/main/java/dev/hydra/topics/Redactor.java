package dev.hydra.topics;

import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces every secret in a text by {@code [REDACTED:kind]} (the constitution's
 * {@code never_expose_secrets}). Whatever a service writes after doing work (task results, statuses,
 * tool results) passes one, so that a key an agent or a tool came across never reaches a topic.
 * The constitution filter's rule engine is the implementation; services outside it receive it from
 * whoever assembles them.
 */
@FunctionalInterface
public interface Redactor {

    String redact(String text);

    /** Every string in a JSON-like tree (maps, lists, strings) redacted; other values unchanged. */
    default Map<String, Object> redactValues(Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            out.put(e.getKey(), redactValue(e.getValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Object redactValue(Object value) {
        if (value instanceof String s) {
            return redact(s);
        }
        if (value instanceof Map<?, ?> m) {
            return redactValues((Map<String, Object>) m);
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            for (Object o : c) {
                out.add(redactValue(o));
            }
            return out;
        }
        return value;
    }

    default TaskResult redact(TaskResult result) {
        return new TaskResult(result.taskId(), result.crew(), result.action(), result.outcome(),
                redact(result.summary()), redactValues(result.artefacts()), result.tokens(), result.durationMs(),
                result.node(), result.at());
    }

    default TaskStatus redact(TaskStatus status) {
        return new TaskStatus(status.taskId(), status.crew(), status.state(), status.node(), status.attempt(),
                redact(status.detail()), status.at());
    }

    default ToolResult redact(ToolResult result) {
        return new ToolResult(result.toolCallId(), result.taskId(), result.status(), redact(result.output()),
                result.at());
    }
}
