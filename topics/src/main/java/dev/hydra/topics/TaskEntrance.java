package dev.hydra.topics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.events.Task;
import java.nio.charset.StandardCharsets;

/**
 * What a task written straight to {@code hydra.tasks.proposed} (kcat, a script) means: the record key
 * is the task's id when the body has none, a key that contradicts the body's id is refused (so nothing
 * links two names for one task silently), and the task's source says it came in through Kafka.
 */
public final class TaskEntrance {
    static final String SOURCE = "kafka";

    private TaskEntrance() {
    }

    /** The task as admitted, or an {@link InvalidEventException} (the record then goes to the DLQ). */
    public static Task admit(String key, byte[] raw, Task parsed) {
        Task task = parsed.withSourceIfUnknown(SOURCE);
        if (key == null || key.isBlank()) {
            return task;
        }
        JsonNode id = Json.parse(new String(raw, StandardCharsets.UTF_8)).path("id");
        boolean bodyHasId = id.isTextual() && !id.asText().isBlank();
        if (!bodyHasId) {
            return task.withId(key);
        }
        if (!id.asText().equals(key)) {
            throw new InvalidEventException("task: the record key '" + key + "' and the body's id '" + id.asText()
                    + "' differ; leave one out or make them equal (the key becomes the id when the body has none)");
        }
        return task;
    }
}
