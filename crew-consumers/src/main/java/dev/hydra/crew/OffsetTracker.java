package dev.hydra.crew;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offset of each partition a worker may commit while several of its tasks run and finish in
 * any order: the first task still running, or just past the last finished one when none runs. A
 * commit never passes a task that has not finished, so a crash redelivers every unfinished task.
 * Used by the worker's poll thread only.
 */
final class OffsetTracker {
    private final Map<TopicPartition, TreeSet<Long>> running = new HashMap<>();
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    void started(TopicPartition partition, long offset) {
        running.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
    }

    /**
     * @return the offset to commit for {@code partition} now (the next one to read), or empty when
     *         nothing new may be committed or the partition was forgotten meanwhile
     */
    OptionalLong finished(TopicPartition partition, long offset) {
        TreeSet<Long> open = running.get(partition);
        if (open == null || !open.remove(offset)) {
            return OptionalLong.empty(); // a task of a partition this worker lost; its new owner commits
        }
        long after = Math.max(next.getOrDefault(partition, 0L), offset + 1);
        next.put(partition, after);
        long commit = open.isEmpty() ? after : open.first();
        if (commit <= committed.getOrDefault(partition, -1L)) {
            return OptionalLong.empty();
        }
        committed.put(partition, commit);
        return OptionalLong.of(commit);
    }

    /** The worker lost these partitions: what still runs there is no longer this worker's to commit. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(p -> {
            running.remove(p);
            next.remove(p);
            committed.remove(p);
        });
    }

    int running() {
        return running.values().stream().mapToInt(TreeSet::size).sum();
    }

    /** Tasks of {@code partition} still running. */
    int running(TopicPartition partition) {
        TreeSet<Long> open = running.get(partition);
        return open == null ? 0 : open.size();
    }
}
