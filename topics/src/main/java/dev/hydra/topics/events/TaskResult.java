package dev.hydra.topics.events;

import java.time.Instant;
import java.util.Map;

/** What a crew produced for a task; keyed by task id. */
public record TaskResult(String taskId, Crew crew, String action, Outcome outcome, String summary,
                         Map<String, Object> artefacts, long tokens, long durationMs, String node, Instant at) {
    public TaskResult {
        Fields.text(taskId, "taskId");
        Fields.present(crew, "crew");
        action = action == null ? "" : action;
        Fields.present(outcome, "outcome");
        summary = summary == null ? "" : summary;
        artefacts = Fields.map(artefacts);
        node = node == null ? "" : node;
        at = at == null ? Instant.now() : at;
    }
}
