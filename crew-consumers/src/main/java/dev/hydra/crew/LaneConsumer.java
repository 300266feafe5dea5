package dev.hydra.crew;

import dev.hydra.topics.Topic;
import dev.hydra.topics.events.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka side of a crew worker: its membership of the crew's consumer group over the four lanes,
 * what it fetches ({@link LanePolicy}: an urgent lane is never held up behind a backlog), the
 * buffered records ({@link LaneQueue}) and the commits ({@link OffsetTracker}: never past a task that
 * has not finished). It runs on the worker's poll thread only; {@link #wakeup} may be called from any.
 */
final class LaneConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(LaneConsumer.class);
    /** Buffered records per lane before that lane stops fetching. */
    private static final int LANE_BUFFER_LIMIT = 100;

    private final String name;
    private final String groupId;
    private final List<Topic<Task>> lanes;
    private final Map<String, Integer> laneOfTopic = new HashMap<>();
    private final Properties kafkaClientProps;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final LaneQueue queue;
    private final OffsetTracker offsets;
    private boolean subscribed;
    private volatile Set<TopicPartition> assignment = Set.of();

    LaneConsumer(String name, String groupId, List<Topic<Task>> lanes, Properties kafkaClientProps, LaneQueue queue,
                 OffsetTracker offsets) {
        this.name = name;
        this.groupId = groupId;
        this.lanes = lanes;
        for (int i = 0; i < lanes.size(); i++) {
            laneOfTopic.put(lanes.get(i).name(), i);
        }
        this.kafkaClientProps = kafkaClientProps;
        this.queue = queue;
        this.offsets = offsets;
        this.consumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Properties consumerProps() {
        Properties props = new Properties();
        props.putAll(kafkaClientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        // Acknowledge only after the side effect and its reports are durable.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Only read tasks whose producing transaction (the router's) committed.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Cooperative: a rebalance moves only the partitions that change owner, so a running task's
        // partition is not taken away just because a member joined.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // A dead member's lanes move to the others after 10 s, not the default 45 s; the poll thread
        // never runs a task, so it heartbeats on time even while long tasks run.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
        // Small batches: a fetched backlog must not delay seeing an urgent lane.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        return props;
    }

    /** The lane partitions this member owns right now (any thread). */
    Set<TopicPartition> assignment() {
        return assignment;
    }

    /** Joins the group, or leaves it when {@code standAside} (the buffered records go back to the group). */
    boolean joinOrLeave(boolean standAside, String why) {
        if (standAside && subscribed) {
            LOG.warn("{}: leaving group {} while its model endpoint is down, so that the other members take its "
                    + "lanes: {}", name, groupId, why);
            consumer.unsubscribe(); // revokes through Rebalance
            assignment = Set.of();
            subscribed = false;
        } else if (!standAside && !subscribed) {
            consumer.subscribe(lanes.stream().map(Topic::name).toList(), new Rebalance());
            subscribed = true;
        }
        return subscribed;
    }

    /** Polls for up to {@code timeout} and buffers what came, each record in its lane. */
    void poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            queue.add(laneOfTopic.get(record.topic()), record);
        }
    }

    /** Makes the poll return now (a task ended, or the worker closes). */
    void wakeup() {
        consumer.wakeup();
    }

    /**
     * Fetches what {@link LanePolicy} says, also while a task runs: the buffer then already holds an
     * urgent task that arrived meanwhile when the running one ends.
     */
    void applyPauses() {
        Set<TopicPartition> owned = consumer.assignment();
        long[] lag = new long[lanes.size()];
        for (TopicPartition tp : owned) {
            lag[laneOfTopic.get(tp.topic())] += consumer.currentLag(tp).orElse(0);
        }
        boolean[] pausedLanes = LanePolicy.paused(queue.sizes(), lag, LANE_BUFFER_LIMIT);
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> toPause = new ArrayList<>();
        List<TopicPartition> toResume = new ArrayList<>();
        for (TopicPartition tp : owned) {
            boolean shouldPause = pausedLanes[laneOfTopic.get(tp.topic())];
            if (shouldPause && !paused.contains(tp)) {
                toPause.add(tp);
            } else if (!shouldPause && paused.contains(tp)) {
                toResume.add(tp);
            }
        }
        consumer.pause(toPause);
        consumer.resume(toResume);
    }

    /** Commits {@code upTo}, the next offset of {@code partition} to read, if this member still owns it. */
    void commit(TopicPartition partition, long upTo) {
        if (!consumer.assignment().contains(partition)) {
            LOG.info("{}: {} moved to another member before offset {} was committed; its new owner deduplicates",
                    name, partition, upTo);
            return;
        }
        // When all that was fetched from the partition is done, commit the read position: it is past the
        // router's transaction markers, which a record's offset + 1 is not, so an idle lane shows no lag.
        long next = offsets.running(partition) == 0 && !queue.holds(partition)
                ? Math.max(upTo, consumer.position(partition)) : upTo;
        // Asynchronous: the task's reports are already durable, and a lost commit only means a redelivery
        // that the status ledger recognises as a copy. Waiting for each commit halved a worker's rate.
        consumer.commitAsync(Map.of(partition, new OffsetAndMetadata(next)), (committed, error) -> {
            if (error != null) {
                // Not fatal: a later commit on this partition covers this offset, and if the partition moves,
                // its new owner sees the task's statuses (and the step journal) and does not repeat it.
                LOG.warn("{}: commit of {}@{} failed ({}); a later commit or the new owner covers it", name,
                        partition, next, error.getClass().getSimpleName());
            }
        });
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private boolean assignedBefore;

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            queue.drop(partitions);
            offsets.forget(partitions);
            assignment = Set.copyOf(consumer.assignment().stream().filter(tp -> !partitions.contains(tp)).toList());
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assignment = Set.copyOf(consumer.assignment());
            if (!partitions.isEmpty()) {
                // the start line names the lanes: only a later rebalance is news on the terminal
                if (assignedBefore) {
                    LOG.info("{}: assigned {}", name, partitions);
                } else {
                    LOG.debug("{}: assigned {}", name, partitions);
                }
                assignedBefore = true;
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    void close() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("{}: closing the consumer failed", name, e);
        }
    }
}
