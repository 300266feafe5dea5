package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
    private final TopicPartition lane = new TopicPartition("hydra.crew.research.p4", 0);
    private final OffsetTracker tracker = new OffsetTracker();

    @Test
    void aCommitNeverPassesATaskThatIsStillRunning() {
        tracker.started(lane, 10);
        tracker.started(lane, 11);
        tracker.started(lane, 12);

        assertThat(tracker.finished(lane, 11)).as("10 still runs").hasValue(10).isNotEmpty();
        assertThat(tracker.finished(lane, 12)).as("nothing new: 10 still runs").isEmpty();
        assertThat(tracker.finished(lane, 10)).as("all done: past the last").hasValue(13);
    }

    @Test
    void inOrderCompletionCommitsEachInTurn() {
        tracker.started(lane, 0);
        assertThat(tracker.finished(lane, 0)).hasValue(1);
        tracker.started(lane, 1);
        tracker.started(lane, 2);
        assertThat(tracker.finished(lane, 1)).hasValue(2);
        assertThat(tracker.finished(lane, 2)).hasValue(3);
        assertThat(tracker.running()).isZero();
    }

    @Test
    void aTaskOfALostPartitionCommitsNothing() {
        tracker.started(lane, 5);
        tracker.forget(List.of(lane));
        tracker.started(lane, 7); // the partition came back, read again from its committed offset

        assertThat(tracker.finished(lane, 5)).as("started before the partition was lost").isEmpty();
        assertThat(tracker.finished(lane, 7)).hasValue(8);
    }
}
