package dev.hydra.router.rules;

import java.time.Duration;

/**
 * How often and how soon a stuck task is tried again: exponential backoff from {@code backoff},
 * capped at {@link #MAX_BACKOFF}, up to {@code maxAttempts} attempts in all.
 */
public record RetryPolicy(int maxAttempts, Duration backoff) {
    static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
    }

    /** True if attempt number {@code attempt} was the last one allowed. */
    public boolean exhausted(int attempt) {
        return attempt >= maxAttempts;
    }

    /** The wait before attempt {@code attempt + 1}: backoff, 2×backoff, 4×backoff, … */
    public Duration delayAfter(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 20);
        Duration delay = backoff.multipliedBy(1L << doublings);
        return delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay;
    }
}
