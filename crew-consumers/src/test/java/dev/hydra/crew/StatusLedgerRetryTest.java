package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The status ledger's read while a broker of a cluster is lost: a timeout (the partitions' leaders
 * moving) is waited out instead of stopping the worker for good; an error that will not pass, or one
 * past the patience, still ends the claim as before.
 */
class StatusLedgerRetryTest {

    @Test
    void aReadThatTimesOutWhileLeadersMoveIsReadAgainUntilItSucceeds() {
        AtomicInteger tries = new AtomicInteger();
        StatusLedger.whileBrokerRecovers(Duration.ofSeconds(30), () -> {
            if (tries.incrementAndGet() < 4) {
                throw new TimeoutException("Failed to get offsets by times in 10000ms");
            }
        });
        assertThat(tries).hasValue(4);
    }

    @Test
    void pastThePatienceTheTimeoutIsThrownAndAnErrorThatWillNotPassIsNotRetried() {
        AtomicInteger tries = new AtomicInteger();
        assertThatThrownBy(() -> StatusLedger.whileBrokerRecovers(Duration.ofMillis(250), () -> {
            tries.incrementAndGet();
            throw new TimeoutException("still no leader");
        })).isInstanceOf(TimeoutException.class).hasMessage("still no leader");
        assertThat(tries.get()).isBetween(2, 5);

        AtomicInteger bugs = new AtomicInteger();
        assertThatThrownBy(() -> StatusLedger.whileBrokerRecovers(Duration.ofSeconds(30), () -> {
            bugs.incrementAndGet();
            throw new IllegalStateException("not a broker error");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(bugs).hasValue(1);
    }
}
