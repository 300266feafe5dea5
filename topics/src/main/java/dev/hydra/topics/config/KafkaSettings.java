package dev.hydra.topics.config;

import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/** The Kafka connection every service shares. */
public final class KafkaSettings {
    public static final Setting<String> BOOTSTRAP = Setting.hostPorts("kafka.bootstrap", "HYDRA_KAFKA_BOOTSTRAP",
            "127.0.0.1:9092", "Kafka bootstrap servers");
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.integer("kafka.replicationFactor",
            "HYDRA_KAFKA_REPLICATION_FACTOR", 1, 1, 5, "replication factor for topics Hydra creates");

    private KafkaSettings() {
    }

    /** Client properties with only the bootstrap servers set. */
    public static Properties client(String bootstrap) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return props;
    }
}
