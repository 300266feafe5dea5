package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LanePolicyTest {

    @Test
    void pausesEveryLaneBelowTheMostUrgentLaneWithWork() {
        boolean[] paused = LanePolicy.paused(new int[]{0, 2, 5, 7}, new long[]{0, 0, 0, 30}, 100);
        assertThat(paused).containsExactly(false, false, true, true);
    }

    @Test
    void lagAloneMakesALaneUrgent() {
        boolean[] paused = LanePolicy.paused(new int[]{0, 0, 0, 40}, new long[]{1, 0, 0, 0}, 100);
        assertThat(paused).containsExactly(false, true, true, true);
    }

    @Test
    void fetchesEveryLaneWhenThereIsNoWork() {
        assertThat(LanePolicy.paused(new int[4], new long[4], 100)).containsExactly(false, false, false, false);
    }

    @Test
    void pausesALaneWhoseBufferIsFullEvenWhenItIsTheMostUrgent() {
        boolean[] paused = LanePolicy.paused(new int[]{100, 0, 0, 0}, new long[]{50, 0, 0, 0}, 100);
        assertThat(paused).containsExactly(true, true, true, true);
    }
}
