package dev.hydra.constitution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.signing.TestSigning;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilterSettingsTest {
    @TempDir
    Path repo;

    private HydraConfig loaded(String yaml, Map<String, String> env) throws Exception {
        Files.createDirectories(repo.resolve("config"));
        Path file = Files.writeString(repo.resolve("config/hydra.yaml"), yaml);
        return HydraConfig.load(file, env);
    }

    @Test
    void resolvesARelativeConstitutionAgainstTheRepositoryHoldingConfigHydraYaml() throws Exception {
        assertThat(FilterSettings.constitutionFile(loaded("kafka: {}", Map.of())))
                .isEqualTo(repo.resolve("config/constitution.yaml"));
        assertThat(FilterSettings.constitutionFile(loaded("constitution: {file: rules/c.yaml}", Map.of())))
                .isEqualTo(repo.resolve("rules/c.yaml"));
    }

    @Test
    void keepsAnAbsoluteConstitutionPathAndLetsTheEnvironmentWin() throws Exception {
        HydraConfig config = loaded("constitution: {file: rules/c.yaml}", Map.of("HYDRA_CONSTITUTION", "/etc/c.yaml"));
        assertThat(FilterSettings.constitutionFile(config)).isEqualTo(Path.of("/etc/c.yaml"));
    }

    @Test
    void resolvesAgainstTheWorkingDirectoryWhenTheConfigIsNotAFile() {
        assertThat(FilterSettings.constitutionFile(HydraConfig.of("{}", Map.of())))
                .isEqualTo(Path.of("").toAbsolutePath().resolve("config/constitution.yaml"));
    }

    @Test
    void theApprovalWebhookIsOffByDefaultAndMustBeAnHttpUrl() {
        assertThat(HydraConfig.of("{}", Map.of()).get(FilterSettings.APPROVAL_WEBHOOK)).isEmpty();
        assertThat(HydraConfig.of("constitution: {approvalWebhook: 'http://127.0.0.1:5678/webhook/x'}", Map.of())
                .get(FilterSettings.APPROVAL_WEBHOOK)).isEqualTo(Optional.of(URI.create("http://127.0.0.1:5678/webhook/x")));
        assertThatThrownBy(() -> HydraConfig.of("{}", Map.of("HYDRA_APPROVAL_WEBHOOK", "ftp://somewhere"))
                .get(FilterSettings.APPROVAL_WEBHOOK))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("constitution.approvalWebhook").hasMessageContaining("HYDRA_APPROVAL_WEBHOOK");
    }

    @Test
    void aBadConstitutionRefusesToStart() throws Exception {
        Files.createDirectories(repo.resolve("config"));
        Files.writeString(repo.resolve("config/constitution.yaml"), "approvers: [admin]\n");
        HydraConfig config = loaded("kafka: {bootstrap: '127.0.0.1:1'}", Map.of());
        try (ConstitutionFilter filter = new ConstitutionFilter(config, new Properties(), repo.resolve("state"), TestSigning.signer(), TestSigning.writerVerifier())) {
            assertThatThrownBy(filter::start).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("constitution.yaml");
            assertThat(filter.healthy()).isFalse();
        }
    }

    @Test
    void aMissingConstitutionRefusesToStart() throws Exception {
        HydraConfig config = loaded("constitution: {file: nowhere.yaml}", Map.of());
        try (ConstitutionFilter filter = new ConstitutionFilter(config, new Properties(), repo.resolve("state"), TestSigning.signer(), TestSigning.writerVerifier())) {
            assertThatThrownBy(filter::start).isInstanceOf(ConfigException.class).hasMessageContaining("nowhere.yaml");
        }
    }

    @Test
    void theRepositoryConfigReadsAndNamesTheRepositoryConstitution() {
        HydraConfig config = HydraConfig.load(Path.of("../config/hydra.yaml"), Map.of());

        Path constitution = FilterSettings.constitutionFile(config);
        assertThat(constitution).isEqualTo(Path.of("../config/constitution.yaml").toAbsolutePath().normalize());
        assertThat(dev.hydra.constitution.rules.Constitution.load(constitution).approvers()).isNotEmpty();
        assertThat(config.get(FilterSettings.APPROVAL_WEBHOOK)).isEmpty();
        assertThat(config.get(FilterSettings.EXPIRY_SCAN_INTERVAL)).isPositive();
        assertThat(config.get(FilterSettings.APPROVAL_WEBHOOK_ATTEMPTS)).isPositive();
    }
}
