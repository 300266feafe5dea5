package dev.hydra.assessor;

import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Runs an action once a burst of triggers has been quiet for a while: a Debezium snapshot of a
 * thousand rows, or a replay of the source topics on start, causes one assessment, not a thousand.
 * Triggers may come from any thread.
 */
final class Debouncer {
    private final Vertx vertx;
    private final long quietMs;
    private final Runnable action;
    private long timer = -1;
    private boolean cancelled;

    Debouncer(Vertx vertx, Duration quiet, Runnable action) {
        this.vertx = vertx;
        this.quietMs = Math.max(1, quiet.toMillis());
        this.action = action;
    }

    synchronized void trigger() {
        if (cancelled) {
            return;
        }
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        timer = vertx.setTimer(quietMs, this::fire);
    }

    private void fire(long firedTimer) {
        synchronized (this) {
            if (firedTimer != timer || cancelled) {
                return;
            }
            timer = -1;
        }
        action.run();
    }

    synchronized void cancel() {
        cancelled = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
