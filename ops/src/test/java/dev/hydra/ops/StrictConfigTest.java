package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KnownSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrictConfigTest {
    private static final Path SHIPPED = Path.of("../config/hydra.yaml");

    @Test
    void theShippedHydraYamlHasNoKeyUnknownToTheDeclaredSettings() {
        SettingsCatalog.checked(HydraConfig.load(SHIPPED, Map.of()));
    }

    @Test
    void everyModulesSettingsClassIsFoundWithoutAList() {
        SettingsCatalog.loadAll();
        assertThat(KnownSettings.settings()).containsKeys("kafka.bootstrap", "http.port", "router.promoteAfter",
                "crews.heartbeat", "memory.postgresUrl", "assessor.interval", "constitution.file", "crews.sandbox");
    }

    @Test
    void anUnknownKeyIsRefusedWithTheNearestKnownName() {
        assertThatThrownBy(() -> SettingsCatalog.checked(HydraConfig.of("router:\n  promoteAftr: 5m\n", Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("router.promoteAftr: unknown setting; did you mean router.promoteAfter?");
        assertThatThrownBy(() -> SettingsCatalog.checked(HydraConfig.of("promoteAftr: 5m\n", Map.of())))
                .hasMessageContaining("promoteAftr: unknown setting; did you mean router.promoteAfter?");
    }

    @Test
    void freeFormSectionsTakeWhatTheirModuleReads() {
        SettingsCatalog.checked(HydraConfig.of("""
                services:
                  - {name: web, health: 'http://127.0.0.1:1/', restart: [echo], restartTimeout: 5s}
                crews:
                  mcpServers: [{name: docs, url: 'http://127.0.0.1:2/mcp'}]
                """, Map.of()));
    }

    @Test
    void aBadValueFromTheEnvironmentNamesTheVariableAndTheFileSetting() {
        assertThatThrownBy(() -> SettingsCatalog.checked(HydraConfig.of("", Map.of("HYDRA_ROUTER_PROMOTE_AFTER", "soon"))))
                .hasMessageContaining("environment variable HYDRA_ROUTER_PROMOTE_AFTER (overrides router.promoteAfter")
                .hasMessageContaining("was 'soon'");
    }
}
