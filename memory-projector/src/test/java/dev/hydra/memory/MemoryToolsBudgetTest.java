package dev.hydra.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How many passages a crew may store: a loop of inserts is stopped per crew and per window. */
class MemoryToolsBudgetTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void aCrewPastItsPassagesOfTheHourIsStoppedAndOtherCrewsAreNot() {
        MemoryTools.Budget budget = new MemoryTools.Budget(MemoryTools.MAX_PASSAGES_PER_HOUR, Duration.ofHours(1));
        long taken = IntStream.range(0, 10_000).filter(i -> budget.take("research", T0.plusMillis(i))).count();
        assertThat(taken).isEqualTo(MemoryTools.MAX_PASSAGES_PER_HOUR);
        assertThat(budget.take("infrastructure", T0.plusSeconds(1))).as("another crew's budget").isTrue();
        assertThat(budget.take("research", T0.plusSeconds(1800))).as("still within the hour").isFalse();
        assertThat(budget.take("research", T0.plus(Duration.ofHours(1)).plusSeconds(1)))
                .as("the hour after the first passages").isTrue();
    }
}
