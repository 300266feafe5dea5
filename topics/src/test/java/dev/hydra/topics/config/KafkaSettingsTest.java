package dev.hydra.topics.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSettingsTest {
    @TempDir
    Path data;

    private void credentials(String principal, String user, String password) throws Exception {
        Path dir = Files.createDirectories(data.resolve("credentials"));
        Files.writeString(dir.resolve(principal + ".properties"), "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config=" + KafkaSettings.ScramLogin.jaas("SCRAM-SHA-512", user, password) + "\n");
    }

    private static String user(Properties props) {
        return KafkaSettings.ScramLogin.userAndPassword(props).map(p -> p[0]).orElse("none");
    }

    @Test
    void withNoCredentialsAClientConnectsWithoutAuthenticationAsAClusterWithoutSaslExpects() {
        Properties props = KafkaSettings.client(HydraConfig.of("{}", Map.of("HYDRA_DATA_DIR", data.toString())),
                "k:9092", Principal.ROUTER);
        assertThat(props).containsOnlyKeys("bootstrap.servers");
    }

    @Test
    void aServiceFindsItsOwnGeneratedCredentialsInTheDataDirectory() throws Exception {
        credentials("router", "router", "r-secret");
        credentials("memory", "memory", "m-secret");
        HydraConfig config = HydraConfig.of("{}", Map.of("HYDRA_DATA_DIR", data.toString()));
        assertThat(user(KafkaSettings.client(config, "k:9092", Principal.ROUTER))).isEqualTo("router");
        assertThat(user(KafkaSettings.client(config, "k:9092", Principal.MEMORY))).isEqualTo("memory");
    }

    @Test
    void aClientConfigFileWinsOverTheDataDirectoryAndAUserNameOverBoth() throws Exception {
        credentials("cli", "cli", "c-secret");
        Path file = data.resolve("company.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config="
                + KafkaSettings.ScramLogin.jaas("SCRAM-SHA-512", "company-user", "x") + "\n");
        HydraConfig withFile = HydraConfig.of("{}", Map.of("HYDRA_DATA_DIR", data.toString(),
                "HYDRA_KAFKA_CLIENT_CONFIG", file.toString()));
        Properties props = KafkaSettings.client(withFile, "k:9092", Principal.CLI);
        assertThat(user(props)).isEqualTo("company-user");
        assertThat(props.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        HydraConfig withUser = withFile.withEnv(Map.of("HYDRA_KAFKA_SASL_USERNAME", "alice",
                "HYDRA_KAFKA_SASL_PASSWORD", "a-secret"));
        assertThat(user(KafkaSettings.client(withUser, "k:9092", Principal.CLI))).isEqualTo("alice");
    }

    @Test
    void aUserNameWithoutAPasswordIsRefusedNamingBothSettings() {
        HydraConfig config = HydraConfig.of("{}", Map.of("HYDRA_KAFKA_SASL_USERNAME", "alice"));
        assertThatThrownBy(() -> KafkaSettings.client(config, "k:9092", Principal.CLI))
                .hasMessageContaining("HYDRA_KAFKA_SASL_PASSWORD").hasMessageContaining("HYDRA_KAFKA_SASL_USERNAME");
    }
}
