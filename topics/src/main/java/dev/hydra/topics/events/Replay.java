package dev.hydra.topics.events;

/**
 * Marks a task or tool call that {@code hydra replay} re-drove into the pipeline: the run it belongs
 * to, the id of the original it copies, and whether it is a dry run. A dry run is judged, routed and
 * worked on like the original, but no side effect is executed (no command, no tool, no proposal) and
 * its result goes to {@code hydra.replay.results} instead of {@code hydra.tasks.results}; its
 * fingerprint and resources belong to its run, so it neither blocks nor is deduplicated against
 * live work.
 */
public record Replay(String runId, String of, boolean dryRun) {
    public Replay {
        Fields.text(runId, "replay.runId");
        Fields.text(of, "replay.of");
    }

    /** Whether {@code replay} (null for live work) is a dry run. */
    public static boolean isDryRun(Replay replay) {
        return replay != null && replay.dryRun();
    }
}
