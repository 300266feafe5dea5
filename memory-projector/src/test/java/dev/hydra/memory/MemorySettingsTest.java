package dev.hydra.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.CdcEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings of the shared hydra.yaml, and the reading of Debezium's change events. */
class MemorySettingsTest {

    @Test
    void theSharedConfigFileGivesTheEmbeddedDefaults() {
        HydraConfig config = HydraConfig.load(Path.of("../config/hydra.yaml"), Map.of());
        assertThat(config.get(MemorySettings.QDRANT_URL)).isEmpty();
        assertThat(config.get(MemorySettings.POSTGRES_URL)).isEmpty();
        assertThat(config.get(MemorySettings.ARCHIVAL)).isTrue();
        assertThat(config.get(MemorySettings.AUDIT_RETENTION)).isEqualTo(Duration.ofDays(365));
        assertThat(config.get(MemorySettings.PORT)).isEqualTo(8706);
    }

    @Test
    void environmentWinsAndABadUrlNamesTheSetting() {
        HydraConfig config = HydraConfig.of("memory: {qdrantUrl: 'http://qdrant:6334'}",
                Map.of("HYDRA_POSTGRES_URL", "jdbc:postgresql://db:5432/hydra?user=hydra&password=s3cret"));
        assertThat(config.get(MemorySettings.QDRANT_URL)).isEqualTo("http://qdrant:6334");
        BacklogDatabase.Endpoint endpoint = BacklogDatabase.endpoint(config.get(MemorySettings.POSTGRES_URL),
                config.get(MemorySettings.POSTGRES_USER), config.get(MemorySettings.POSTGRES_PASSWORD));
        assertThat(endpoint).isEqualTo(new BacklogDatabase.Endpoint("db", 5432, "hydra", "hydra", "s3cret"));
        assertThat(BacklogDatabase.endpoint("jdbc:postgresql://postgres:5432/hydra", "postgres", "from-env"))
                .isEqualTo(new BacklogDatabase.Endpoint("postgres", 5432, "hydra", "postgres", "from-env"));
        assertThat(BacklogDatabase.redact(config.get(MemorySettings.POSTGRES_URL))).doesNotContain("s3cret");

        assertThatThrownBy(() -> HydraConfig.of("", Map.of("HYDRA_QDRANT_URL", "qdrant:6334"))
                .get(MemorySettings.QDRANT_URL)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("memory.qdrantUrl").hasMessageContaining("HYDRA_QDRANT_URL");
    }

    @Test
    void aDebeziumUpdateBecomesACdcEventWithItsLsn() {
        String key = "{\"id\":7}";
        String value = """
                {"before":{"id":7,"topic":"rag","resolved":false},"after":{"id":7,"topic":"rag","resolved":true},
                 "source":{"connector":"postgresql","db":"hydra","schema":"public","table":"knowledge_gaps",
                           "txId":771,"lsn":24023128,"ts_ms":1795000000000,"snapshot":"false"},
                 "op":"u","ts_ms":1795000000100}""";
        CdcEvent event = ChangeCapture.toEvent(key, value).orElseThrow();
        assertThat(event.table()).isEqualTo("knowledge_gaps");
        assertThat(event.op()).isEqualTo("u");
        assertThat(event.key()).containsEntry("id", 7);
        assertThat(event.before()).containsEntry("resolved", false);
        assertThat(event.after()).containsEntry("resolved", true);
        assertThat(event.source()).isEqualTo("lsn=24023128 txId=771 ts_ms=1795000000000");
        assertThat(ChangeCapture.kafkaKey(event)).isEqualTo("{\"id\":7}");
        assertThat(ChangeCapture.toEvent(key, null)).isEmpty();
    }
}
