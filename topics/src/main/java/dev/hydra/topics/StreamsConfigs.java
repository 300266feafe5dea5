package dev.hydra.topics;

import java.nio.file.Path;
import java.util.Properties;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.StreamsSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The base configuration of every Hydra Streams application; each override says why. */
public final class StreamsConfigs {
    private StreamsConfigs() {
    }

    public static Properties base(String applicationId, String bootstrap, Path stateDir, int replicationFactor) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(applicationId).toString());
        // A verdict, its audit record and the consumed offset commit in one transaction (DESIGN.md).
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        // EOS's default, 100 ms. What a record written inside a transaction waits before a read_committed
        // reader sees it is the rest of the interval plus the commit, so each application sets its own
        // (constitution.commitInterval, router.commitInterval): latency against transactions per second.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // Two cores: one stream thread per application is what the machine can run.
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // Tasks written before the application first started are work, not history to skip.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // A 10 MB hostile value must reach the DLQ handler, not fail the fetch.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 16 * 1024 * 1024);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 16 * 1024 * 1024);
        // A member that died (kill -9, a lost node) is noticed after 10 s instead of the default 45 s:
        // until then its partitions, and the whole single-partition router, stand still.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 3_000);
        // Deliver small batches promptly; the cost of 5 ms lingering is below the commit interval.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        // One request in flight per broker: with more, the first batch to a repartition topic Streams has
        // just created can fail (the broker has not applied the partition yet) while the second lands; the
        // retried first batch is then refused for ever with OutOfOrderSequenceException (KAFKA-15591), an
        // ERROR on every fresh start and lost records. Commits every 100 ms keep the batches small anyway.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), 1);
        return props;
    }

    /**
     * What differs between instances and clusters, from the configuration: standby replicas and
     * static membership ({@link StreamsSettings}), and min.insync.replicas of the internal topics
     * (changelogs, repartition topics) like that of Hydra's own ({@code kafka.minInsyncReplicas}).
     * Given to an application beside its client properties, under {@link #base}.
     */
    public static Properties instance(HydraConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.get(StreamsSettings.STANDBY_REPLICAS));
        String instanceId = config.get(StreamsSettings.INSTANCE_ID);
        if (!instanceId.isEmpty()) {
            // Streams appends the stream thread's index for each thread's consumer.
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
                Integer.toString(KafkaSettings.Replication.of(config).minInsync()));
        return props;
    }
}
