package dev.hydra.assessor.rules;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.IterationReport;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.TaskResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results of the orchestrator's iterations: every result that comes back is counted in the
 * iteration running now, and an assessment closes it into an {@link IterationReport}. What spans
 * iterations is kept too: each crew and action's failures in a row and its mean duration so far.
 * Framework-free and thread-safe (results arrive on a reader thread, assessments on another).
 */
public final class IterationLog {
    /**
     * The most crews and actions the log tracks. Results name their action themselves, so a producer
     * writing results under ever new actions would grow every map here and every report without end;
     * results past this many keys are counted together under {@link #OTHER}.
     */
    public static final int MAX_KEYS = 100;
    /** The longest action name kept (longer ones are cut; the name of an action is short). */
    public static final int MAX_ACTION_CHARS = 100;
    /** The action name the results past {@link #MAX_KEYS} are counted under. */
    public static final String OTHER = "(other actions)";

    private record Key(Crew crew, String action) {
    }

    private static final class Tally {
        int completed;
        int failed;
        long durationMs;
        long maxDurationMs;
        long tokens;
        String lastFailure = "";
    }

    private final String runId;
    private Map<Key, Tally> current = new LinkedHashMap<>();
    private final Map<Key, Integer> failuresInARow = new LinkedHashMap<>();
    private final Map<Key, String> lastFailures = new HashMap<>();
    /** Over the closed iterations: total duration and count, per crew and action. */
    private final Map<Key, long[]> earlier = new HashMap<>();
    private long iteration;
    private Instant from;

    /** @param runId names this assessor run in report ids (iterations are numbered from 1 in each run) */
    public IterationLog(String runId, Instant start) {
        this.runId = runId;
        this.from = start;
    }

    public synchronized void add(TaskResult result) {
        Key key = key(result);
        Tally tally = current.computeIfAbsent(key, k -> new Tally());
        if (result.outcome() == Outcome.SUCCEEDED) {
            tally.completed++;
            failuresInARow.put(key, 0);
        } else {
            tally.failed++;
            tally.lastFailure = result.summary().length() <= 1_000 ? result.summary()
                    : result.summary().substring(0, 999) + "…";
            lastFailures.put(key, tally.lastFailure);
            failuresInARow.merge(key, 1, Integer::sum);
        }
        tally.durationMs += Math.max(0, result.durationMs());
        tally.maxDurationMs = Math.max(tally.maxDurationMs, result.durationMs());
        tally.tokens += Math.max(0, result.tokens());
    }

    private Key key(TaskResult result) {
        String action = result.action().length() <= MAX_ACTION_CHARS ? result.action()
                : result.action().substring(0, MAX_ACTION_CHARS - 1) + "…";
        Key key = new Key(result.crew(), action);
        if (current.containsKey(key) || failuresInARow.containsKey(key) || earlier.containsKey(key)) {
            return key;
        }
        java.util.Set<Key> known = new java.util.HashSet<>(earlier.keySet());
        known.addAll(failuresInARow.keySet());
        known.addAll(current.keySet());
        return known.size() < MAX_KEYS ? key : new Key(result.crew(), OTHER);
    }

    /**
     * Closes the iteration running now at {@code to} and starts the next one. Its rows are the crews
     * and actions with a result in it, and those still failing in a row from earlier iterations (with
     * no result now, a streak is not over: nothing has succeeded since).
     */
    public synchronized IterationReport close(Instant to, int approvalsWaiting) {
        iteration++;
        List<IterationReport.ActionStats> rows = new ArrayList<>();
        failuresInARow.forEach((key, streak) -> {
            if (streak > 0) {
                current.computeIfAbsent(key, k -> new Tally()).lastFailure = lastFailures.getOrDefault(key, "");
            }
        });
        current.forEach((key, t) -> {
            int total = t.completed + t.failed;
            long[] before = earlier.getOrDefault(key, new long[2]);
            rows.add(new IterationReport.ActionStats(key.crew(), key.action(), t.completed, t.failed,
                    total == 0 ? 0 : (double) t.failed / total, total == 0 ? 0 : t.durationMs / total, t.maxDurationMs,
                    before[1] == 0 ? 0 : before[0] / before[1], t.tokens, failuresInARow.getOrDefault(key, 0),
                    t.lastFailure));
            long[] sum = earlier.computeIfAbsent(key, k -> new long[2]);
            sum[0] += t.durationMs;
            sum[1] += total;
        });
        IterationReport report = new IterationReport(runId + "-" + iteration, iteration, from, to, rows,
                approvalsWaiting);
        current = new LinkedHashMap<>();
        from = to;
        return report;
    }
}
