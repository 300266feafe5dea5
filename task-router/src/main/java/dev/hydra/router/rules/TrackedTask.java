package dev.hydra.router.rules;

import dev.hydra.topics.events.Task;
import java.util.Objects;

/**
 * An open task as the router tracks it, from approval until a terminal status.
 *
 * @param lane the lane (priority) it is or will be published to; lower than the task's priority after aging
 * @param attempt the attempt the crews should be running (the {@code hydra-attempt} header)
 * @param admittedAtMs when the router first saw it (tie-break for releases)
 * @param sinceMs when it entered its current phase (aging counts from here)
 * @param startedAtMs when the current attempt was claimed (task timeout counts from here)
 * @param lastBeatMs the last CLAIMED or HEARTBEAT of the current attempt
 * @param retryAtMs when a RETRY_PENDING task is published again
 */
public record TrackedTask(Task task, Origin origin, String fingerprint, Phase phase, int lane, int attempt,
                          long admittedAtMs, long sinceMs, long startedAtMs, long lastBeatMs, long retryAtMs) {

    public TrackedTask {
        Objects.requireNonNull(task, "task");
        origin = origin == null ? Origin.UNKNOWN : origin;
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(phase, "phase");
    }

    static TrackedTask arrived(Task task, Origin origin, String fingerprint, long nowMs) {
        return new TrackedTask(task, origin, fingerprint, Phase.QUEUED, task.priority(), 1, nowMs, nowMs, 0, 0, 0);
    }

    public String id() {
        return task.id();
    }

    TrackedTask in(Phase newPhase, long nowMs) {
        return new TrackedTask(task, origin, fingerprint, newPhase, lane, attempt, admittedAtMs, nowMs, startedAtMs,
                lastBeatMs, retryAtMs);
    }

    TrackedTask queuedIn(int newLane, long nowMs) {
        return new TrackedTask(task, origin, fingerprint, Phase.QUEUED, newLane, attempt, admittedAtMs, nowMs, 0, 0, 0);
    }

    TrackedTask beat(long nowMs) {
        long started = phase == Phase.CLAIMED ? startedAtMs : nowMs;
        long since = phase == Phase.CLAIMED ? sinceMs : nowMs;
        return new TrackedTask(task, origin, fingerprint, Phase.CLAIMED, lane, attempt, admittedAtMs, since, started,
                nowMs, 0);
    }

    TrackedTask retryAt(long atMs, long nowMs) {
        return new TrackedTask(task, origin, fingerprint, Phase.RETRY_PENDING, lane, attempt + 1, admittedAtMs, nowMs,
                0, 0, atMs);
    }

    /** The task as published: its priority is the lane it is published to. */
    Task asPublished() {
        return task.priority() == lane ? task : task.withPriority(lane);
    }
}
