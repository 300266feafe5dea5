package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The three-node cluster of {@code hydra chaos --brokers 3} by itself: each node a {@code hydra broker}
 * in its own JVM, secured as the single broker is, replication and min.insync.replicas from hydra.yaml.
 * A node killed with -9 takes no acknowledged record with it, and acks=all writes go on without it.
 */
class BrokerClusterTest {
    private static final int RECORDS = 50;
    private final Map<Integer, ChildJvm> brokers = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        brokers.values().forEach(ChildJvm::close);
    }

    @Test
    void losingANodeForGoodLosesNoAcknowledgedRecordAndAcksAllWritesGoOn() throws Exception {
        Path dir = Files.createTempDirectory("hydra-cluster");
        Path config = dir.resolve("hydra.yaml");
        Files.writeString(config, "kafka:\n  replicationFactor: 3\n  minInsyncReplicas: 2\n");
        Path credentials = dir.resolve("credentials");
        // Made once before the nodes start, which would otherwise each generate their own passwords.
        CredentialStore.ensure(credentials);
        List<EmbeddedBroker.Node> nodes = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            nodes.add(new EmbeddedBroker.Node(id, freePort(), freePort()));
        }
        String quorum = String.join(",", nodes.stream()
                .map(n -> n.id() + "@127.0.0.1:" + n.brokerPort() + ":" + n.controllerPort()).toList());
        for (EmbeddedBroker.Node node : nodes) {
            brokers.put(node.id(), ChildJvm.start("broker-" + node.id(), dir.resolve("broker-" + node.id() + ".log"),
                    "broker ready on", List.of("-Xmx384m"), Map.of("HYDRA_CONFIG", config.toString()), "broker",
                    "--kafka-port", Integer.toString(node.brokerPort()), "--node-id", Integer.toString(node.id()),
                    "--quorum", quorum, "--data-dir", dir.resolve("broker-" + node.id()).toString(),
                    "--credentials-dir", credentials.toString()));
        }
        for (ChildJvm broker : brokers.values()) {
            broker.awaitReady(Duration.ofMinutes(3));
        }
        String bootstrap = String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.brokerPort()).toList());
        HydraConfig hydra = HydraConfig.load(config, Map.of(KafkaSettings.CREDENTIALS_DIR.env(), credentials.toString()));
        Properties admin = KafkaSettings.client(hydra, bootstrap, Principal.ADMIN);

        try (Admin client = Admin.create(admin)) {
            new TopicBootstrap(client, KafkaSettings.Replication.of(hydra)).ensure(List.of(Topics.TASKS_PROPOSED));
            TopicDescription created = describe(client);
            assertThat(created.partitions()).allSatisfy(p -> {
                assertThat(p.replicas()).hasSize(3);
                assertThat(p.isr()).hasSize(3);
            });
            var resource = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TASKS_PROPOSED.name());
            assertThat(client.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()).isEqualTo("2");
        }
        Set<String> acknowledged = new HashSet<>(send(admin, "before"));

        int victim;
        try (Admin client = Admin.create(admin)) {
            victim = describe(client).partitions().get(0).leader().id();
        }
        brokers.remove(victim).kill();

        try (Admin client = Admin.create(admin)) {
            // The controller drops the dead node from every ISR once its broker session lapses; leaders move.
            await("node " + victim + " out of every leader and ISR").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).until(() -> describe(client).partitions().stream()
                            .allMatch(p -> p.leader() != null && p.leader().id() != victim
                                    && p.isr().stream().noneMatch(n -> n.id() == victim) && p.isr().size() == 2));
        }
        acknowledged.addAll(send(admin, "after"));

        Properties consumer = new Properties();
        consumer.putAll(admin);
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-test");
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Set<String> read = new HashSet<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(consumer, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            reader.subscribe(List.of(Topics.TASKS_PROPOSED.name()));
            await("every acknowledged record read back from the two nodes left").atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        reader.poll(Duration.ofMillis(500)).forEach(r -> read.add(r.key()));
                        return read.containsAll(acknowledged);
                    });
            // The group's offsets live on the two nodes left too: the offsets topic has three replicas.
            reader.commitSync(Duration.ofSeconds(30));
        }
        assertThat(read).hasSize(2 * RECORDS).isEqualTo(acknowledged);
    }

    /** {@link #RECORDS} tasks through Hydra's own producer (acks=all, idempotent); the keys it was told landed. */
    private static List<String> send(Properties client, String batch) throws Exception {
        Map<String, Future<RecordMetadata>> acks = new LinkedHashMap<>();
        try (EventProducer producer = new EventProducer(client, "cluster-test")) {
            for (int i = 0; i < RECORDS; i++) {
                String id = batch + "-" + i;
                acks.put(id, producer.send(Topics.TASKS_PROPOSED, id, new Task(id, "cluster", 3, 0, "cluster test",
                        Crew.RESEARCH, Map.of("action", "noop"), List.of(), List.of(), "cluster-test", null), id));
            }
        }
        List<String> landed = new ArrayList<>();
        for (var ack : acks.entrySet()) {
            RecordMetadata metadata = ack.getValue().get(60, TimeUnit.SECONDS);
            assertThat(metadata.offset()).isNotNegative();
            landed.add(ack.getKey());
        }
        return landed;
    }

    private static TopicDescription describe(Admin client) throws Exception {
        return client.describeTopics(List.of(Topics.TASKS_PROPOSED.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(Topics.TASKS_PROPOSED.name());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
