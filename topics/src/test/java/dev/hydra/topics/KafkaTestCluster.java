package dev.hydra.topics;

import dev.hydra.topics.config.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft broker for tests (broker and controller in one node), started from
 * Kafka's own test kit in about three seconds. Replication factors are 1 because there is one broker.
 */
public final class KafkaTestCluster implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private KafkaTestCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static KafkaTestCluster start() {
        try {
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    // Fewer coordinator partitions: consumer groups form faster on a test broker.
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("message.max.bytes", Integer.toString(16 * 1024 * 1024))
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaTestCluster(cluster);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test broker", e);
        }
    }

    public String bootstrap() {
        return cluster.bootstrapServers();
    }

    public Properties clientProps() {
        return KafkaSettings.client(bootstrap());
    }

    public Admin admin() {
        return Admin.create(clientProps());
    }

    /** Creates every catalog topic. */
    public KafkaTestCluster withCatalogTopics() {
        try (Admin admin = admin()) {
            new TopicBootstrap(admin, (short) 1).ensure(Topics.all());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** A consumer in a fresh group reading from the beginning, for assertions. */
    public KafkaConsumer<String, byte[]> consumer(String... topics) {
        return consumer(clientProps(), topics);
    }

    /** The same, on any cluster. */
    public static KafkaConsumer<String, byte[]> consumer(Properties clientProps, String... topics) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + java.util.UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics));
        return consumer;
    }

    /** Polls once and returns what arrived. */
    public static List<ConsumerRecord<String, byte[]>> poll(KafkaConsumer<String, byte[]> consumer) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        return out;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
