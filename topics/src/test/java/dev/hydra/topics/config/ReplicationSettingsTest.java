package dev.hydra.topics.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.StreamsConfigs;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** kafka.replicationFactor / kafka.minInsyncReplicas and the Streams instance settings, as hydra.yaml gives them. */
class ReplicationSettingsTest {
    @Test
    void theReplicationPairComesFromTheConfigurationAndItsEnvironment() {
        KafkaSettings.Replication fromFile = KafkaSettings.Replication.of(
                HydraConfig.of("kafka:\n  replicationFactor: 3\n  minInsyncReplicas: 2\n", Map.of()));
        assertThat(fromFile).isEqualTo(new KafkaSettings.Replication(3, 2));
        assertThat(KafkaSettings.Replication.of(HydraConfig.of("{}", Map.of()))).isEqualTo(KafkaSettings.Replication.SINGLE);
    }

    @Test
    void moreInSyncReplicasThanReplicasIsRefusedNamingBothSettings() {
        assertThatThrownBy(() -> KafkaSettings.Replication.of(
                HydraConfig.of("kafka:\n  replicationFactor: 1\n  minInsyncReplicas: 2\n", Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.minInsyncReplicas (env HYDRA_KAFKA_MIN_INSYNC_REPLICAS) must be at most"
                        + " kafka.replicationFactor (1), was 2");
    }

    @Test
    void aStreamsInstanceGetsItsStandbysStaticMembershipAndTheInternalTopicsMinInsync() {
        Properties props = StreamsConfigs.instance(HydraConfig.of(
                "kafka:\n  replicationFactor: 3\n  minInsyncReplicas: 2\n", Map.of("HYDRA_STREAMS_INSTANCE_ID", "node-7")));
        assertThat(props).containsEntry("num.standby.replicas", 1).containsEntry("group.instance.id", "node-7")
                .containsEntry("topic.min.insync.replicas", "2");
    }

    @Test
    void withoutAnInstanceIdMembershipStaysDynamic() {
        Properties props = StreamsConfigs.instance(HydraConfig.of("streams:\n  standbyReplicas: 0\n", Map.of()));
        assertThat(props).doesNotContainKey("group.instance.id").containsEntry("num.standby.replicas", 0);
    }

    @Test
    void aStandbyCountOutsideItsRangeIsRefusedWithTheAllowedValues() {
        assertThatThrownBy(() -> StreamsConfigs.instance(HydraConfig.of("streams:\n  standbyReplicas: 9\n", Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("streams.standbyReplicas");
    }
}
