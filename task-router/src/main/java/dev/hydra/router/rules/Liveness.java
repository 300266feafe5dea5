package dev.hydra.router.rules;

import java.time.Duration;
import java.util.Optional;

/**
 * Stuck-task detection (the seed's "running over 30 minutes"): a claimed task is stuck when its
 * worker stopped sending heartbeats or when it ran longer than the per-task timeout.
 */
public final class Liveness {

    /** Why a task was judged stuck. */
    public enum Stuck {
        HEARTBEAT_MISSED, TIMED_OUT, INTERRUPTED_BY_CREW
    }

    /** A verdict with a sentence for statuses and dead letters. */
    public record Verdict(Stuck reason, String detail) {
    }

    private Liveness() {
    }

    public static Optional<Verdict> check(long startedAtMs, long lastBeatMs, long nowMs, Duration heartbeatTimeout,
                                          Duration taskTimeout) {
        long running = nowMs - startedAtMs;
        if (running > taskTimeout.toMillis()) {
            return Optional.of(new Verdict(Stuck.TIMED_OUT, "running for " + Duration.ofMillis(running)
                    + ", over the task timeout of " + taskTimeout));
        }
        long silent = nowMs - lastBeatMs;
        if (silent > heartbeatTimeout.toMillis()) {
            return Optional.of(new Verdict(Stuck.HEARTBEAT_MISSED, "no heartbeat for " + Duration.ofMillis(silent)
                    + ", over the heartbeat timeout of " + heartbeatTimeout));
        }
        return Optional.empty();
    }
}
