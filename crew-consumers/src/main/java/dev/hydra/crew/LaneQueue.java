package dev.hydra.crew;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Records fetched but not yet handled, one FIFO per priority lane. Handing out the head of the most
 * urgent non-empty lane keeps per-partition order (a partition belongs to one lane) while letting
 * urgent work overtake a backlog.
 */
final class LaneQueue {
    private final Deque<ConsumerRecord<byte[], byte[]>>[] lanes;

    @SuppressWarnings("unchecked")
    LaneQueue(int laneCount) {
        lanes = new Deque[laneCount];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = new ArrayDeque<>();
        }
    }

    void add(int lane, ConsumerRecord<byte[], byte[]> record) {
        lanes[lane].addLast(record);
    }

    /** Removes and returns the next record to handle, or null. */
    ConsumerRecord<byte[], byte[]> next() {
        for (Deque<ConsumerRecord<byte[], byte[]>> lane : lanes) {
            if (!lane.isEmpty()) {
                return lane.pollFirst();
            }
        }
        return null;
    }

    /** Forgets the records of partitions this worker no longer owns: their new owner reads them again. */
    void drop(Collection<TopicPartition> partitions) {
        for (Deque<ConsumerRecord<byte[], byte[]>> lane : lanes) {
            lane.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        }
    }

    /** Whether a record of {@code partition} waits here. */
    boolean holds(TopicPartition partition) {
        for (Deque<ConsumerRecord<byte[], byte[]>> lane : lanes) {
            for (ConsumerRecord<byte[], byte[]> record : lane) {
                if (record.partition() == partition.partition() && record.topic().equals(partition.topic())) {
                    return true;
                }
            }
        }
        return false;
    }

    int[] sizes() {
        int[] sizes = new int[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            sizes[i] = lanes[i].size();
        }
        return sizes;
    }

    boolean isEmpty() {
        for (Deque<ConsumerRecord<byte[], byte[]>> lane : lanes) {
            if (!lane.isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
