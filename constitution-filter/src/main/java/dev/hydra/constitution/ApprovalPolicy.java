package dev.hydra.constitution;

import java.time.Duration;
import java.util.Objects;

/**
 * How parked items wait for people.
 *
 * @param timeout how long a request waits for a decision before it expires
 * @param scanInterval how often (wall clock) pending requests are checked for expiry
 */
public record ApprovalPolicy(Duration timeout, Duration scanInterval) {
    public ApprovalPolicy {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(scanInterval, "scanInterval");
        if (timeout.isNegative() || timeout.isZero() || scanInterval.isNegative() || scanInterval.isZero()) {
            throw new IllegalArgumentException("timeout and scanInterval must be positive");
        }
    }

    public static ApprovalPolicy defaults() {
        return new ApprovalPolicy(Duration.ofHours(24), Duration.ofSeconds(30));
    }
}
