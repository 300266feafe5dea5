package dev.hydra.assessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PrometheusQueriesTest {
    private static Vertx vertx;
    private static WebClient web;
    private static HttpServer prometheus;

    @BeforeAll
    static void startFakePrometheus() throws Exception {
        vertx = Vertx.vertx();
        web = WebClient.create(vertx);
        prometheus = FakePrometheus.start(vertx, Map.of("p95", "2350.5", "two_nodes", "900,2100",
                "scalar", "scalar:12", "no_traffic", "empty", "nan", "NaN"));
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Map<String, Double> measure(String baseUrl, Map<String, String> queries) throws Exception {
        return new PrometheusQueries(web, baseUrl, queries, Duration.ofSeconds(10)).measure()
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void namedQueriesBecomeMetricsAndTheWorstSeriesCounts() throws Exception {
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("inference_latency_p95", "p95");
        queries.put("worst_node", "two_nodes");
        queries.put("queue", "scalar");

        assertThat(measure("http://127.0.0.1:" + prometheus.actualPort(), queries))
                .containsExactly(Map.entry("inference_latency_p95", 2350.5), Map.entry("worst_node", 2100.0),
                        Map.entry("queue", 12.0));
    }

    @Test
    void emptyResultsErrorsAndNaNLeaveTheMetricOutInsteadOfFailing() throws Exception {
        Map<String, String> queries = Map.of("idle", "no_traffic", "broken", "unknown(", "nan", "nan", "ok", "p95");

        assertThat(measure("http://127.0.0.1:" + prometheus.actualPort(), queries))
                .containsOnlyKeys("ok");
    }

    @Test
    void anUnreachablePrometheusMeasuresNothing() throws Exception {
        HttpServer gone = FakePrometheus.start(vertx, Map.of());
        int port = gone.actualPort();
        gone.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(measure("http://127.0.0.1:" + port, Map.of("p95", "p95"))).isEmpty();
    }

    @Test
    void queriesAreAMappingOfNameToPromQL() {
        assertThat(PrometheusQueries.fromConfig(HydraConfig.of("""
                assessor: {prometheus: {queries: {inference_latency_p95: 'histogram_quantile(0.95, x)'}}}""",
                Map.of()))).containsExactly(Map.entry("inference_latency_p95", "histogram_quantile(0.95, x)"));
        assertThatThrownBy(() -> PrometheusQueries.fromConfig(HydraConfig.of(
                "assessor: {prometheus: {queries: [a, b]}}", Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("assessor.prometheus.queries");
    }
}
