package dev.hydra.assessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssessorConfigTest {
    @Test
    void defaultsFollowTheSeedAndTheEnvironmentWins() {
        HydraConfig defaults = HydraConfig.of("{}", Map.of());
        assertThat(defaults.get(AssessorSettings.INTERVAL)).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.get(AssessorSettings.INFERENCE_LATENCY_P95_MAX_MS)).isEqualTo(2_000);
        assertThat(defaults.get(AssessorSettings.INFERENCE_LATENCY_P95_TARGET_MS)).isEqualTo(1_500);
        assertThat(defaults.get(AssessorSettings.PROMETHEUS_URL)).isEmpty();

        HydraConfig env = HydraConfig.of("assessor: {interval: 5m}", Map.of("HYDRA_ASSESSOR_INTERVAL", "30s",
                "HYDRA_ASSESSOR_PROMETHEUS_URL", "http://127.0.0.1:9090/"));
        assertThat(env.get(AssessorSettings.INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(env.get(AssessorSettings.PROMETHEUS_URL)).isEqualTo("http://127.0.0.1:9090");
    }

    @Test
    void badValuesNameTheSettingAndWhatIsAllowed() {
        assertThatThrownBy(() -> HydraConfig.of("assessor: {prometheus: {url: 'prometheus:9090'}}", Map.of())
                .get(AssessorSettings.PROMETHEUS_URL)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("assessor.prometheus.url").hasMessageContaining("HYDRA_ASSESSOR_PROMETHEUS_URL")
                .hasMessageContaining("http(s) base URL");
        assertThatThrownBy(() -> HydraConfig.of("assessor: {thresholds: {inferenceLatencyP95Ms: fast}}", Map.of())
                .get(AssessorSettings.INFERENCE_LATENCY_P95_MAX_MS)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("an integer from 1");
    }

    @Test
    void servicesAreProbedOverHttpOrTcpAndOthersAreSkipped() {
        HydraConfig config = HydraConfig.of("""
                services:
                  - {name: console, health: http://127.0.0.1:8701/health}
                  - {name: postgres, tcp: 127.0.0.1:5432}
                  - {name: restart-only, restart: [echo, hi]}
                """, Map.of());

        assertThat(ServiceTarget.fromConfig(config)).containsExactly(
                ServiceTarget.http("console", "http://127.0.0.1:8701/health"),
                ServiceTarget.tcp("postgres", "127.0.0.1:5432"));
        assertThat(ServiceTarget.tcp("pg", "127.0.0.1:5432").port()).isEqualTo(5432);
        assertThat(ServiceTarget.tcp("pg6", "[::1]:5432").host()).isEqualTo("::1");
    }

    @Test
    void malformedServiceEntriesStopStartupNamingTheEntry() {
        assertThatThrownBy(() -> ServiceTarget.fromConfig(HydraConfig.of(
                "services: [{name: db, tcp: 'localhost'}]", Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("services[0] (db).tcp");
        assertThatThrownBy(() -> ServiceTarget.fromConfig(HydraConfig.of(
                "services: [{name: web, health: 'ftp://x/'}]", Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("services[0] (web).health");
        assertThatThrownBy(() -> ServiceTarget.fromConfig(HydraConfig.of("services: [{health: 'http://x/'}]",
                Map.of()))).isInstanceOf(ConfigException.class).hasMessageContaining("services[0].name");
    }

    @Test
    void theSharedHydraYamlIsValidForTheAssessor() {
        HydraConfig config = HydraConfig.load(Path.of("../config/hydra.yaml"), Map.of());

        assertThat(config.get(AssessorSettings.INTERVAL)).isEqualTo(Duration.ofMinutes(5));
        assertThat(ServiceTarget.fromConfig(config)).extracting(ServiceTarget::name).contains("hydra-console");
        assertThat(PrometheusQueries.fromConfig(config)).containsKey("inference_latency_p95");
        assertThat(config.get(AssessorSettings.FEATURE_DONE_STATUSES)).contains("done");
    }

    @Test
    void theShippedConsoleProbeFollowsTheConsolesRealPort() {
        HydraConfig shipped = HydraConfig.load(Path.of("../config/hydra.yaml"), Map.of());

        assertThat(ServiceTarget.fromConfig(shipped)).contains(ServiceTarget.http("hydra-console", "http://127.0.0.1:8701/health"));
        assertThat(ServiceTarget.fromConfig(shipped.withEnv(Map.of("HYDRA_HTTP_PORT", "38701"))))
                .contains(ServiceTarget.http("hydra-console", "http://127.0.0.1:38701/health"));
        assertThatThrownBy(() -> ServiceTarget.fromConfig(HydraConfig.of(
                "services: [{name: web, health: 'http://127.0.0.1:${WEB_PORT}/'}]", Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("${WEB_PORT}");
    }
}
