package dev.hydra.topics.events;

import java.time.Instant;
import java.util.List;

/**
 * What one assessment iteration of the orchestrator's loop saw come back: per crew and action, how
 * the tasks that ended in the iteration went; and how many items wait for a person. Published on
 * {@code hydra.iterations} by the state assessor, keyed by {@code id}; the learning rules read it.
 *
 * @param id the key: the assessor's run and the iteration's number
 * @param iteration the iteration's number within the assessor's run, from 1
 * @param from when the iteration began (the previous assessment)
 * @param to when it ended (this assessment)
 * @param actions one row per crew and action with a result in the iteration
 * @param approvalsWaiting items parked for a person at the end of the iteration
 */
public record IterationReport(String id, long iteration, Instant from, Instant to, List<ActionStats> actions,
                              int approvalsWaiting) {

    /**
     * @param errorRate failed / (completed + failed), 0 to 1
     * @param consecutiveFailures failures in a row of this crew and action at the end of the
     *                            iteration, counted across iterations (a success resets it)
     * @param previousMeanDurationMs the mean duration over the earlier iterations of this run, 0 when none
     * @param lastFailure the summary of the latest failure, empty when none failed
     */
    public record ActionStats(Crew crew, String action, int completed, int failed, double errorRate,
                              long meanDurationMs, long maxDurationMs, long previousMeanDurationMs, long tokens,
                              int consecutiveFailures, String lastFailure) {
        public ActionStats {
            Fields.present(crew, "crew");
            action = action == null ? "" : action;
            lastFailure = lastFailure == null ? "" : Fields.bounded(lastFailure, 1_000, "lastFailure");
        }

        public int total() {
            return completed + failed;
        }
    }

    public IterationReport {
        Fields.text(id, "id");
        Fields.present(from, "from");
        Fields.present(to, "to");
        actions = actions == null ? List.of() : List.copyOf(actions);
    }
}
