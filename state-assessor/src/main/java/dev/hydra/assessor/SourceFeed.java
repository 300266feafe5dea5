package dev.hydra.assessor;

import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.CdcEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link Backlog} from Kafka: the change topics of the features, knowledge_gaps and
 * services tables and the research findings block on hydra.memory.blocks. It reads every topic from the
 * beginning on each start, without a consumer group, because the backlog is a table view that is
 * rebuilt, not a queue that is worked off (the topics are compacted, so the replay is short).
 * Topics that do not exist yet are picked up once they appear. A change the rules would see calls
 * {@code onChange}.
 */
final class SourceFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceFeed.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long TOPIC_RECHECK_MS = 5_000;

    /** One source topic and how its records change the backlog. */
    private record Source(Topic<?> topic, BiPredicate<String, byte[]> apply) {
    }

    private final Map<String, Source> sources;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Runnable onChange;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean failed;
    private volatile boolean started;

    SourceFeed(Properties clientProps, Backlog backlog, AssessorSources enabled, Runnable onChange) {
        this.onChange = onChange;
        this.sources = sources(backlog, enabled);
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "hydra-state-assessor-feed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "hydra-assessor-feed");
        this.thread.setDaemon(true);
    }

    /** Which sources the feed reads, and the research block's name. */
    record AssessorSources(boolean features, boolean knowledgeGaps, boolean serviceRegistry,
                           boolean researchFindings, String researchBlock) {
        boolean any() {
            return features || knowledgeGaps || serviceRegistry || researchFindings;
        }
    }

    private static Map<String, Source> sources(Backlog backlog, AssessorSources enabled) {
        Map<String, Source> map = new java.util.LinkedHashMap<>();
        if (enabled.features()) {
            add(map, Topics.CDC_FEATURES, (key, value) -> value != null
                    && backlog.applyFeature(key, cdc(Topics.CDC_FEATURES, value)));
        }
        if (enabled.knowledgeGaps()) {
            add(map, Topics.CDC_KNOWLEDGE_GAPS,
                    (key, value) -> value != null
                            && backlog.applyKnowledgeGap(key, cdc(Topics.CDC_KNOWLEDGE_GAPS, value)));
        }
        if (enabled.serviceRegistry()) {
            add(map, Topics.CDC_SERVICES, (key, value) -> value != null
                    && backlog.applyService(key, cdc(Topics.CDC_SERVICES, value)));
        }
        if (enabled.researchFindings()) {
            add(map, Topics.MEMORY_BLOCKS, (key, value) -> {
                if (!enabled.researchBlock().equals(key)) {
                    return false;
                }
                // A tombstone deletes the block: nothing left to evaluate.
                String content = value == null ? ""
                        : Topics.MEMORY_BLOCKS.valueSerde().deserialize(Topics.MEMORY_BLOCKS.name(), value).content();
                return backlog.applyResearchFindings(content);
            });
        }
        return map;
    }

    private static void add(Map<String, Source> map, Topic<?> topic, BiPredicate<String, byte[]> apply) {
        map.put(topic.name(), new Source(topic, apply));
    }

    /** Tombstones (null values) are skipped by the callers: the delete event before one already removed the row. */
    private static CdcEvent cdc(Topic<CdcEvent> topic, byte[] value) {
        return topic.valueSerde().deserialize(topic.name(), value);
    }

    void start() {
        started = true;
        thread.start();
    }

    /** False once the feed has stopped on an error it cannot recover from. */
    boolean healthy() {
        return !failed && thread.isAlive();
    }

    private void run() {
        Set<String> assigned = new HashSet<>();
        long lastTopicCheck = 0;
        try {
            while (running) {
                boolean checkDue = System.currentTimeMillis() - lastTopicCheck >= TOPIC_RECHECK_MS;
                if (assigned.size() < sources.size() && checkDue) {
                    lastTopicCheck = System.currentTimeMillis();
                    assignNewTopics(assigned);
                }
                if (assigned.isEmpty()) {
                    // Nothing to poll yet; wait for the next topic check without spinning.
                    synchronized (this) {
                        wait(TOPIC_RECHECK_MS);
                    }
                    continue;
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> record : records) {
                    changed |= apply(record);
                }
                if (changed) {
                    onChange.run();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            if (running) {
                failed = true;
                log.error("source feed stopped unexpectedly", e);
            }
        } catch (RuntimeException e) {
            failed = true;
            log.error("source feed failed; the backlog is no longer updated", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void assignNewTopics(Set<String> assigned) {
        Map<String, List<PartitionInfo>> existing;
        try {
            existing = consumer.listTopics(Duration.ofSeconds(5));
        } catch (RetriableException e) {
            // The broker may start after Hydra's services (docker compose): try again at the next check.
            log.warn("cannot list topics yet ({}); retrying", e.getMessage());
            return;
        }
        Set<String> fresh = sources.keySet().stream().filter(t -> !assigned.contains(t) && existing.containsKey(t))
                .collect(Collectors.toSet());
        if (fresh.isEmpty()) {
            return;
        }
        Set<TopicPartition> partitions = new HashSet<>(consumer.assignment());
        Set<TopicPartition> added = fresh.stream().flatMap(t -> existing.get(t).stream())
                .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toSet());
        partitions.addAll(added);
        consumer.assign(partitions);
        consumer.seekToBeginning(added);
        assigned.addAll(fresh);
        log.info("reading sources {}", assigned);
    }

    /**
     * A record that cannot be read is logged with its position and skipped. It is not dead-lettered:
     * this view replays its topics on every start and would dead-letter the same record each time;
     * the topics' writer (memory-projector) owns their quality.
     */
    private boolean apply(ConsumerRecord<String, byte[]> record) {
        try {
            return sources.get(record.topic()).apply().test(record.key(), record.value());
        } catch (RuntimeException e) {
            log.warn("skipping unreadable record {}-{}@{} (key {}): {}", record.topic(), record.partition(),
                    record.offset(), record.key(), e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        if (!started) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
