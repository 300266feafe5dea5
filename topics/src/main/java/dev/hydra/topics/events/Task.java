package dev.hydra.topics.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A unit of work for a crew (the seed orchestrator's task dict). {@code priority} 1 (critical) to 4
 * (low); {@code resources} name what the task may change; {@code requires} names capabilities an
 * inference node must have. {@code id}, {@code type}, {@code source} and {@code createdAt} may be
 * left out by a producer and are filled in. {@code replay} is set only on copies {@code hydra replay}
 * made (null for live work).
 */
public record Task(String id, String type, int priority, int impact, String description, Crew crew,
                   Map<String, Object> task, List<String> resources, List<String> requires,
                   String source, Instant createdAt,
                   @JsonInclude(JsonInclude.Include.NON_NULL) Replay replay) {

    public static final int HIGHEST_PRIORITY = 1;
    public static final int LOWEST_PRIORITY = 4;
    /** A description is a sentence or a paragraph; anything longer belongs in an artefact. */
    public static final int MAX_DESCRIPTION = 10_000;

    public Task {
        id = Fields.bounded(Fields.orId(id), Fields.MAX_NAME, "id");
        Fields.range(priority, HIGHEST_PRIORITY, LOWEST_PRIORITY, "priority");
        Fields.range(impact, 0, 100, "impact");
        Fields.bounded(Fields.text(description, "description"), MAX_DESCRIPTION, "description");
        Fields.present(crew, "crew");
        type = Fields.bounded(Fields.or(type, crew.wireName()), Fields.MAX_NAME, "type");
        task = Fields.map(Fields.present(task, "task"));
        if (!(task.get("action") instanceof String action) || action.isBlank()) {
            throw new IllegalArgumentException("task.action is required and must be a non-blank string");
        }
        resources = Fields.list(resources, "resources");
        requires = Fields.list(requires, "requires");
        source = Fields.bounded(Fields.or(source, "unknown"), Fields.MAX_NAME, "source");
        createdAt = createdAt == null ? Instant.now() : createdAt;
    }

    /** Live work (no replay). */
    public Task(String id, String type, int priority, int impact, String description, Crew crew,
                Map<String, Object> task, List<String> resources, List<String> requires, String source,
                Instant createdAt) {
        this(id, type, priority, impact, description, crew, task, resources, requires, source, createdAt, null);
    }

    public String action() {
        return (String) task.get("action");
    }

    public Task withPriority(int newPriority) {
        return new Task(id, type, newPriority, impact, description, crew, task, resources, requires, source, createdAt,
                replay);
    }

    /** The same task with its text fields replaced (redaction), everything else kept. */
    public Task withText(String newDescription, Map<String, Object> newTask) {
        return new Task(id, type, priority, impact, newDescription, crew, newTask, resources, requires, source,
                createdAt, replay);
    }

    /** The same task under the id its producer keyed it by. */
    public Task withId(String newId) {
        return new Task(newId, type, priority, impact, description, crew, task, resources, requires, source, createdAt,
                replay);
    }

    /** The same task, saying which entrance it came through (cli, http, kafka) when its producer did not. */
    public Task withSourceIfUnknown(String entrance) {
        return !"unknown".equals(source) ? this
                : new Task(id, type, priority, impact, description, crew, task, resources, requires, entrance, createdAt,
                replay);
    }

    /** A copy under a new id, as part of a replay run. */
    public Task replayed(String newId, Replay run, Instant at) {
        return new Task(newId, type, priority, impact, description, crew, task, resources, requires, source, at, run);
    }
}
