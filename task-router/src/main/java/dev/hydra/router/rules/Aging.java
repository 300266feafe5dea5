package dev.hydra.router.rules;

import dev.hydra.topics.events.Task;
import java.time.Duration;

/**
 * Priority aging: a task that waited in its lane, unclaimed, for {@code promoteAfter} moves one lane
 * up, so that a steady stream of urgent work cannot starve low-priority work for ever.
 */
public final class Aging {
    private Aging() {
    }

    /** True if a task waiting in {@code lane} since {@code sinceMs} should move up now. */
    public static boolean due(int lane, long sinceMs, long nowMs, Duration promoteAfter) {
        return lane > Task.HIGHEST_PRIORITY && nowMs - sinceMs >= promoteAfter.toMillis();
    }

    /** The next more urgent lane. */
    public static int promoted(int lane) {
        return Math.max(Task.HIGHEST_PRIORITY, lane - 1);
    }
}
