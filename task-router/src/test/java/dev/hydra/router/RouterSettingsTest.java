package dev.hydra.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterSettingsTest {
    @Test
    void defaultsMatchTheSeedAndTheDesign() {
        RouterSettings settings = RouterSettings.defaults();
        assertThat(settings.applicationId()).isEqualTo("hydra-task-router");
        assertThat(settings.policy().promoteAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.policy().nodeTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.policy().heartbeatTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.policy().taskTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.policy().retry().maxAttempts()).isEqualTo(3);
    }

    @Test
    void environmentWinsOverTheFile() {
        HydraConfig config = HydraConfig.of("router: {taskTimeout: 45m, maxAttempts: 5}",
                Map.of("HYDRA_ROUTER_TASK_TIMEOUT", "1h"));
        RouterSettings settings = RouterSettings.from(config);
        assertThat(settings.policy().taskTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.policy().retry().maxAttempts()).isEqualTo(5);
    }

    @Test
    void badValueNamesTheSettingAndWhatIsAllowed() {
        assertThatThrownBy(() -> RouterSettings.from(HydraConfig.of("router: {promoteAfter: soon}", Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("router.promoteAfter").hasMessageContaining("HYDRA_ROUTER_PROMOTE_AFTER")
                .hasMessageContaining("a duration such as");
    }

    @Test
    void theSharedHydraYamlDeclaresTheRouterSection() {
        HydraConfig config = HydraConfig.load(Path.of("../config/hydra.yaml"), Map.of());
        assertThat(config.section("router").isObject()).isTrue();
        assertThat(RouterSettings.from(config)).isEqualTo(RouterSettings.defaults());
    }
}
