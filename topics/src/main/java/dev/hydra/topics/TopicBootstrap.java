package dev.hydra.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import dev.hydra.topics.config.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalog's missing topics and reports the ones whose layout differs from the catalog.
 * Idempotent, and never deletes or alters an existing topic: that is a person's decision.
 */
public final class TopicBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(TopicBootstrap.class);

    /** What the bootstrap found for one topic. */
    public record TopicState(Topic<?> topic, boolean existed, boolean created, List<String> differences) {
        public String summary() {
            if (created) {
                return "created";
            }
            return differences.isEmpty() ? "ok" : "differs: " + String.join("; ", differences);
        }
    }

    private final Admin admin;
    private final short replicationFactor;
    /** The topics' own min.insync.replicas; 0: the broker's default. */
    private final int minInsync;

    /** Creates topics with {@code replicationFactor} replicas and the broker's default min.insync.replicas. */
    public TopicBootstrap(Admin admin, short replicationFactor) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
        this.minInsync = 0;
    }

    /**
     * Creates topics as {@code replication} says (kafka.replicationFactor and kafka.minInsyncReplicas):
     * the topic itself carries its min.insync.replicas, so that a cluster whose brokers default to 1
     * still refuses an acks=all write only one replica has.
     */
    public TopicBootstrap(Admin admin, KafkaSettings.Replication replication) {
        this.admin = admin;
        this.replicationFactor = (short) replication.factor();
        this.minInsync = replication.minInsync();
    }

    /** Creates what is missing, then describes every topic of {@code topics}. */
    public List<TopicState> ensure(Collection<Topic<?>> topics) throws InterruptedException {
        return inspect(topics, true);
    }

    /** Describes every topic of {@code topics} without changing anything. */
    public List<TopicState> inspect(Collection<Topic<?>> topics) throws InterruptedException {
        return inspect(topics, false);
    }

    private List<TopicState> inspect(Collection<Topic<?>> topics, boolean create) throws InterruptedException {
        try {
            Set<String> existing = new java.util.HashSet<>(admin.listTopics().names().get());
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?> topic : topics) {
                if (!existing.contains(topic.name())) {
                    missing.add(newTopic(topic));
                }
            }
            Set<String> created = new java.util.HashSet<>();
            if (create && !missing.isEmpty()) {
                for (var entry : admin.createTopics(missing).values().entrySet()) {
                    try {
                        entry.getValue().get();
                        created.add(entry.getKey());
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                        // created a moment ago by someone else, or listed late by a broker whose metadata
                        // lags the controller: it exists, so it is described like any existing topic
                        existing.add(entry.getKey());
                    }
                }
                LOG.info("created {} topics: {}", created.size(), created);
            }
            List<String> present = topics.stream().map(Topic::name)
                    .filter(n -> existing.contains(n) || created.contains(n)).toList();
            Map<String, TopicDescription> descriptions = present.isEmpty() ? Map.of()
                    : untilKnown(() -> admin.describeTopics(present).allTopicNames().get());
            Map<ConfigResource, Config> configs = present.isEmpty() ? Map.of()
                    : untilKnown(() -> admin.describeConfigs(present.stream()
                    .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get());
            List<TopicState> states = new ArrayList<>();
            for (Topic<?> topic : topics) {
                boolean existed = existing.contains(topic.name());
                TopicDescription description = descriptions.get(topic.name());
                List<String> differences = description == null ? List.of("missing")
                        : differences(topic, description,
                        configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name())));
                states.add(new TopicState(topic, existed, created.contains(topic.name()), differences));
            }
            states.stream().filter(s -> !s.differences().isEmpty())
                    .forEach(s -> LOG.warn("topic {} {}", s.topic().name(), s.summary()));
            return states;
        } catch (ExecutionException e) {
            throw new IllegalStateException("topic bootstrap failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** An admin call that may not see a topic just created yet, on a broker whose metadata lags the controller. */
    @FunctionalInterface
    private interface AdminCall<T> {
        T call() throws ExecutionException, InterruptedException;
    }

    /**
     * Runs {@code call} again, for up to {@link #METADATA_PATIENCE}, while it answers that a topic is
     * unknown: a topic created a moment ago is known to the controller before every broker's metadata.
     */
    private static <T> T untilKnown(AdminCall<T> call) throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + METADATA_PATIENCE.toNanos();
        while (true) {
            try {
                return call.call();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static final java.time.Duration METADATA_PATIENCE = java.time.Duration.ofSeconds(15);

    private NewTopic newTopic(Topic<?> topic) {
        Map<String, String> configs = configs(topic);
        if (minInsync > 0) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsync));
        }
        return new NewTopic(topic.name(), Optional.of(topic.partitions()), Optional.of(replicationFactor)).configs(configs);
    }

    static Map<String, String> configs(Topic<?> topic) {
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG,
                topic.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
        topic.retention().ifPresent(r -> configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(r.toMillis())));
        return configs;
    }

    private static List<String> differences(Topic<?> topic, TopicDescription description, Config config) {
        List<String> differences = new ArrayList<>();
        if (description.partitions().size() != topic.partitions()) {
            differences.add("partitions " + description.partitions().size() + ", catalog " + topic.partitions());
        }
        if (config != null) {
            configs(topic).forEach((name, wanted) -> {
                var actual = config.get(name);
                if (actual == null || !wanted.equals(actual.value())) {
                    differences.add(name + " " + (actual == null ? "unset" : actual.value()) + ", catalog " + wanted);
                }
            });
        }
        return differences;
    }
}
