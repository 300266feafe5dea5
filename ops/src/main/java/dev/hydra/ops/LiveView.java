package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.events.NodeAnnouncement;
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
 * The operator console's picture of the system, folded from the topics: approval queue (with what
 * would run), queued tasks per crew and lane, running, waiting-to-retry and failed tasks with their
 * last word, every crew worker, the dead letters, recent verdicts and memory blocks. One consumer
 * thread folds; readers take an immutable JSON snapshot. It is a {@link Service} so that
 * {@code hydra service console} runs it alone, healthy while its thread folds.
 */
final class LiveView implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);
    private static final int RECENT_AUDIT = 50;
    private static final int RECENT_FAILURES = 50;
    /** Ended tasks remembered so that a lane record read after its task's end does not show it as queued. */
    private static final int ENDED_REMEMBERED = 100_000;
    private static final int VALUE_PREVIEW_CHARS = 400;

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
    private final Map<String, TaskStatus> retrying = new LinkedHashMap<>();
    private final Deque<TaskStatus> failed = new ArrayDeque<>();
    private final Deque<ObjectNode> deadLetters = new ArrayDeque<>();
    private final Map<String, NodeAnnouncement> workers = new java.util.TreeMap<>();
    private final Set<String> ended = java.util.Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > ENDED_REMEMBERED;
        }
    });
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
        for (Topic<?> topic : List.of(Topics.APPROVAL_REQUESTS, Topics.TASK_STATUS, Topics.AUDIT, Topics.MEMORY_BLOCKS,
                Topics.DLQ, Topics.CREW_NODES)) {
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
        if (topic.equals(Topics.DLQ)) {
            deadLetter(record);
            return true;
        }
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
            // After a restart the lanes are read from their start: a task that already ended is not queued.
            if (!ended.contains(task.id()) && !active.containsKey(task.id()) && !claimedAt.containsKey(task.id())) {
                queued.put(task.id(), record.topic());
            }
        } else if (value instanceof TaskStatus status) {
            fold(status);
        } else if (value instanceof NodeAnnouncement worker) {
            workers.put(worker.crew().wireName() + "@" + worker.node(), worker);
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

    private void fold(TaskStatus status) {
        String id = status.taskId();
        if (status.state().terminal()) {
            ended.add(id);
            queued.remove(id);
            active.remove(id);
            claimedAt.remove(id);
            retrying.remove(id);
            if (status.state() == dev.hydra.topics.events.TaskState.FAILED) {
                failed.addFirst(status);
                while (failed.size() > RECENT_FAILURES) {
                    failed.removeLast();
                }
            }
            return;
        }
        switch (status.state()) {
            case CLAIMED, HEARTBEAT -> {
                queued.remove(id);
                retrying.remove(id);
                active.put(id, status);
                claimedAt.putIfAbsent(id, status.at());
            }
            // The attempt ended without success and the router will route it again after its backoff:
            // not running any more, and the detail says what went wrong.
            case INTERRUPTED, RETRIED -> {
                active.remove(id);
                claimedAt.remove(id);
                retrying.put(id, status);
            }
            default -> active.computeIfPresent(id, (key, old) -> status);
        }
    }

    /** A dead letter as the console lists it: where it came from, why, and the start of its value. */
    private void deadLetter(ConsumerRecord<String, byte[]> record) {
        ObjectNode letter = Json.MAPPER.createObjectNode();
        letter.put("key", record.key());
        letter.put("at", Instant.ofEpochMilli(record.timestamp()).toString());
        letter.put("offset", record.offset());
        for (String header : List.of(DeadLetters.SOURCE_TOPIC, DeadLetters.SOURCE_PARTITION, DeadLetters.SOURCE_OFFSET,
                DeadLetters.ERROR, DeadLetters.FAILED_BY)) {
            letter.put(header.substring("hydra-dlq-".length()), DeadLetters.header(record.headers(), header));
        }
        String value = record.value() == null ? "" : new String(record.value(), java.nio.charset.StandardCharsets.UTF_8);
        letter.put("value", value.length() <= VALUE_PREVIEW_CHARS ? value : value.substring(0, VALUE_PREVIEW_CHARS) + "…");
        deadLetters.addFirst(letter);
        while (deadLetters.size() > RECENT_FAILURES) {
            deadLetters.removeLast();
        }
    }

    private static ObjectNode describe(ObjectNode row, TaskStatus status) {
        return row.put("taskId", status.taskId()).put("crew", status.crew().wireName()).put("node", status.node())
                .put("attempt", status.attempt()).put("state", status.state().name()).put("detail", status.detail())
                .put("at", status.at().toString());
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
            describe(runningTasks.addObject(), status)
                    .put("ageSeconds", Duration.between(claimedAt.getOrDefault(status.taskId(), now), now).toSeconds());
        }
        ArrayNode waiting = root.putArray("retrying");
        retrying.values().forEach(status -> describe(waiting.addObject(), status));
        ArrayNode failures = root.putArray("failed");
        failed.forEach(status -> describe(failures.addObject(), status));
        root.set("dlq", Json.tree(new ArrayList<>(deadLetters)));
        ArrayNode crewWorkers = root.putArray("workers");
        workers.values().forEach(worker -> crewWorkers.addObject().put("node", worker.node())
                .put("crew", worker.crew().wireName()).put("models", String.join(", ", worker.models()))
                .put("capabilities", String.join(", ", worker.capabilities()))
                .put("health", worker.health().name()).put("healthDetail", worker.detail())
                .put("heartbeatAt", worker.heartbeatAt().toString())
                .put("silentSeconds", Duration.between(worker.heartbeatAt(), now).toSeconds()));
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
