package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console's picture of the system, folded from the topics: approval queue, queued
 * tasks per crew and lane, running tasks with their age, recent verdicts and memory blocks. One
 * consumer thread folds; readers take an immutable JSON snapshot. It is a {@link Service} so that
 * {@code hydra service console} runs it alone, healthy while its thread folds.
 */
final class LiveView implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);
    private static final int RECENT_AUDIT = 50;

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, Topic<?>> topics = new LinkedHashMap<>();

    private final Map<String, ApprovalRequest> approvals = new LinkedHashMap<>();
    private final Map<String, String> queued = new LinkedHashMap<>(); // task id -> lane
    private final Map<String, TaskStatus> active = new LinkedHashMap<>();
    private final Map<String, Instant> claimedAt = new LinkedHashMap<>();
    private final Deque<AuditRecord> recentAudit = new ArrayDeque<>();
    private final Set<TopicPartition> auditSeeked = new HashSet<>();
    private final Map<String, MemoryBlock> blocks = new LinkedHashMap<>();
    private volatile JsonNode snapshot = Json.MAPPER.createObjectNode();
    private volatile long version;

    LiveView(Properties clientProps) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "hydra-console-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        for (Topic<?> topic : List.of(Topics.APPROVAL_REQUESTS, Topics.TASK_STATUS, Topics.AUDIT, Topics.MEMORY_BLOCKS)) {
            topics.put(topic.name(), topic);
        }
        for (Crew crew : Crew.values()) {
            Topics.crewLanes(crew).forEach(lane -> topics.put(lane.name(), lane));
        }
        thread = new Thread(this::run, "hydra-console-view");
        thread.setDaemon(true);
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public boolean healthy() {
        return running.get() && thread.isAlive();
    }

    @Override
    public void start() {
        consumer.subscribe(List.copyOf(topics.keySet()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                seekToRecentAudit(partitions);
            }
        });
        thread.start();
    }

    /**
     * The console shows the last {@value #RECENT_AUDIT} verdicts; the audit keeps a year. Reading the
     * tail of each partition, not all of it, keeps the console's start quick however old the audit is.
     */
    private void seekToRecentAudit(Collection<TopicPartition> partitions) {
        // Only on a partition's first assignment: after a rebalance the consumer goes on where it was.
        List<TopicPartition> audit = partitions.stream().filter(tp -> tp.topic().equals(Topics.AUDIT.name()))
                .filter(auditSeeked::add).toList();
        if (audit.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(audit);
        consumer.endOffsets(audit).forEach((tp, end) -> consumer.seek(tp, Math.max(begin.get(tp), end - RECENT_AUDIT)));
    }

    /** The latest picture, as JSON. */
    JsonNode snapshot() {
        return snapshot;
    }

    /** Grows by one each time the picture changes. */
    long version() {
        return version;
    }

    private void run() {
        try {
            while (running.get()) {
                var records = consumer.poll(Duration.ofMillis(500));
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> record : records) {
                    changed |= fold(record);
                }
                if (changed || !records.isEmpty()) {
                    publish();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("console view stopped", e);
        } finally {
            consumer.close();
        }
    }

    private boolean fold(ConsumerRecord<String, byte[]> record) {
        Topic<?> topic = topics.get(record.topic());
        Object value;
        try {
            value = topic.valueSerde().deserialize(record.topic(), record.value());
        } catch (RuntimeException invalid) {
            return false; // dead-lettered by the services
        }
        if (value instanceof ApprovalRequest request) {
            approvals.remove(request.id());
            approvals.put(request.id(), request);
        } else if (value instanceof Task task) {
            if (!active.containsKey(task.id()) && !claimedAt.containsKey(task.id())) {
                queued.put(task.id(), record.topic());
            }
        } else if (value instanceof TaskStatus status) {
            switch (status.state()) {
                case CLAIMED, HEARTBEAT -> {
                    queued.remove(status.taskId());
                    active.put(status.taskId(), status);
                    claimedAt.putIfAbsent(status.taskId(), status.at());
                }
                case COMPLETED, FAILED -> {
                    queued.remove(status.taskId());
                    active.remove(status.taskId());
                    claimedAt.remove(status.taskId());
                }
                default -> active.computeIfPresent(status.taskId(), (id, old) -> status);
            }
        } else if (value instanceof AuditRecord audit) {
            recentAudit.addFirst(audit);
            while (recentAudit.size() > RECENT_AUDIT) {
                recentAudit.removeLast();
            }
        } else if (value instanceof MemoryBlock block) {
            blocks.put(block.name(), block);
        }
        return true;
    }

    private void publish() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("approvals", Json.tree(approvals.values().stream()
                .filter(a -> a.status() == dev.hydra.topics.events.ApprovalStatus.PENDING).toList()));
        ObjectNode lanes = root.putObject("queued");
        for (String lane : queued.values()) {
            lanes.put(lane, lanes.path(lane).asInt(0) + 1);
        }
        ArrayNode runningTasks = root.putArray("running");
        Instant now = Instant.now();
        for (TaskStatus status : active.values()) {
            runningTasks.addObject().put("taskId", status.taskId()).put("crew", status.crew().wireName())
                    .put("node", status.node()).put("attempt", status.attempt()).put("state", status.state().name())
                    .put("ageSeconds", Duration.between(claimedAt.getOrDefault(status.taskId(), now), now).toSeconds());
        }
        root.set("audit", Json.tree(new ArrayList<>(recentAudit)));
        root.set("blocks", Json.tree(blocks.values()));
        snapshot = root;
        version++;
    }

    @Override
    public void close() {
        running.set(false);
        if (!thread.isAlive()) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
