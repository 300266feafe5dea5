package dev.hydra.crew;

import dev.hydra.topics.events.Outcome;
import java.util.Map;

/** What an executor reports for one task: how it ended, why, what it produced, what it cost. */
public record TaskOutcome(Outcome outcome, String summary, Map<String, Object> artefacts, long tokens) {
    public TaskOutcome {
        summary = summary == null ? "" : summary;
        artefacts = artefacts == null ? Map.of() : Map.copyOf(artefacts);
    }

    public static TaskOutcome succeeded(String summary, Map<String, Object> artefacts, long tokens) {
        return new TaskOutcome(Outcome.SUCCEEDED, summary, artefacts, tokens);
    }

    public static TaskOutcome failed(String reason, Map<String, Object> artefacts, long tokens) {
        return new TaskOutcome(Outcome.FAILED, reason, artefacts, tokens);
    }

    public static TaskOutcome failed(String reason) {
        return failed(reason, Map.of(), 0);
    }
}
