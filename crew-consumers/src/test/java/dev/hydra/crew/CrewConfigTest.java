package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.crew.infra.ServiceCatalog;
import dev.hydra.crew.sandbox.SandboxLimits;
import dev.hydra.crew.tools.McpServers;
import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.SandboxSettings;
import dev.hydra.topics.tools.McpServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrewConfigTest {

    @Test
    void theShippedHydraYamlConfiguresEveryCrewSetting() {
        HydraConfig config = HydraConfig.load(Path.of("../config/hydra.yaml"), Map.of());

        assertThat(config.get(CrewSettings.HEARTBEAT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.get(CrewSettings.TOKEN_BUDGET)).isEqualTo(100_000);
        assertThat(CrewSettings.list(config.get(CrewSettings.CAPABILITIES))).isEmpty();
        assertThat(config.get(CrewSettings.STATUS_LOOKBACK)).isEqualTo(Duration.ofDays(7));
        assertThat(ServiceCatalog.from(config).find("hydra-console")).get()
                .satisfies(s -> assertThat(s.restart()).first().isEqualTo("echo"));
        assertThat(McpServers.from(config, Duration.ofSeconds(5)).names()).isEmpty();
        assertThat(config.get(SandboxSettings.SANDBOX)).isEqualTo(SandboxSettings.Mode.BUBBLEWRAP);
        assertThat(SandboxLimits.from(config)).isEqualTo(new SandboxLimits(Duration.ofSeconds(60),
                Duration.ofSeconds(60), 4_096, 256, 512, 65_536, 65_534));
    }

    @Test
    void badSandboxSettingsNameTheSettingAndWhatIsAllowed() {
        HydraConfig config = HydraConfig.of("crews: {sandbox: docker, sandboxProcesses: 1}", Map.of());

        assertThatThrownBy(() -> config.get(SandboxSettings.SANDBOX)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("crews.sandbox").hasMessageContaining("HYDRA_CREW_SANDBOX")
                .hasMessageContaining("[bubblewrap, none]");
        assertThatThrownBy(() -> config.get(CrewSettings.SANDBOX_PROCESSES)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("crews.sandboxProcesses").hasMessageContaining("an integer from 8 to 65536");
    }

    @Test
    void badCrewSettingsNameTheSettingAndWhatIsAllowed() {
        HydraConfig config = HydraConfig.of("crews: {maxToolCalls: lots, capabilities: 'vision,!'}", Map.of());

        assertThatThrownBy(() -> config.get(CrewSettings.MAX_TOOL_CALLS)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("crews.maxToolCalls").hasMessageContaining("HYDRA_CREW_MAX_TOOL_CALLS")
                .hasMessageContaining("an integer from 0 to 10000");
        assertThatThrownBy(() -> config.get(CrewSettings.CAPABILITIES)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("crews.capabilities");
        assertThatThrownBy(() -> ServiceCatalog.from(HydraConfig.of("services: [{name: x, restart: 'sh -c boom'}]",
                Map.of()))).isInstanceOf(ConfigException.class).hasMessageContaining("services[0].restart must be a non-empty list");
    }

    @Test
    void mcpServersAreConfiguredByCommandOrUrl() {
        HydraConfig config = HydraConfig.of("""
                crews:
                  mcpServers:
                    - {name: web-search, command: ["npx", "-y", "brave-search"]}
                    - {name: docker-mcp, url: "http://127.0.0.1:8811/mcp"}
                """, Map.of());

        McpServers servers = McpServers.from(config, Duration.ofSeconds(5));

        assertThat(servers.configured()).extracting(McpServerConfig::name).containsExactly("web-search", "docker-mcp");
        assertThat(servers.configured().get(0).command()).isEqualTo(List.of("npx", "-y", "brave-search"));
        assertThat(servers.configured().get(1).url()).contains("http://127.0.0.1:8811/mcp");
        assertThat(McpServers.transport(servers.configured().get(1))).isEqualTo("http http://127.0.0.1:8811/mcp");
        assertThatThrownBy(() -> McpServers.from(HydraConfig.of("crews: {mcpServers: [{name: both, url: u, command: [x]}]}",
                Map.of()), Duration.ofSeconds(1))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("(both) must have exactly one of command (a list: the program and its arguments, for stdio) or url");
    }
}
