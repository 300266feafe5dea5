package dev.hydra.assessor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.Json;
import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named instant queries against the Prometheus HTTP API ({@code GET /api/v1/query?query=…}); each
 * name becomes a metric of the snapshot (for example {@code inference_latency_p95}). A vector
 * result with several series counts as its largest value (the worst case); an empty result, an
 * error or a timeout leaves the metric out, so a rule never fires on a value nobody measured.
 */
final class PrometheusQueries {
    private static final Logger log = LoggerFactory.getLogger(PrometheusQueries.class);

    private final WebClient web;
    private final String baseUrl;
    private final Map<String, String> queries;
    private final long timeoutMs;

    PrometheusQueries(WebClient web, String baseUrl, Map<String, String> queries, Duration timeout) {
        this.web = web;
        this.baseUrl = baseUrl;
        this.queries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(queries));
        this.timeoutMs = timeout.toMillis();
    }

    /** The queries of {@code assessor.prometheus.queries}, a mapping of metric name to PromQL. */
    static Map<String, String> fromConfig(HydraConfig config) {
        JsonNode node = config.section(AssessorSettings.PROMETHEUS_QUERIES_PATH);
        Map<String, String> queries = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return queries;
        }
        if (!node.isObject()) {
            throw new ConfigException(config.origin() + ": " + AssessorSettings.PROMETHEUS_QUERIES_PATH
                    + " must be a mapping of metric name to PromQL query");
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                throw new ConfigException(config.origin() + ": " + AssessorSettings.PROMETHEUS_QUERIES_PATH + "."
                        + e.getKey() + " must be a PromQL query string");
            }
            queries.put(e.getKey(), e.getValue().asText());
        });
        return queries;
    }

    boolean enabled() {
        return !baseUrl.isEmpty() && !queries.isEmpty();
    }

    /** Runs every query concurrently; never fails, the map holds the metrics that were measured. */
    Future<Map<String, Double>> measure() {
        if (!enabled()) {
            return Future.succeededFuture(Map.of());
        }
        List<String> names = new ArrayList<>(queries.keySet());
        List<Future<Double>> values = names.stream().map(name -> query(name, queries.get(name))).toList();
        return Future.join(values).transform(ignored -> {
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                Double value = values.get(i).result();
                if (values.get(i).succeeded() && value != null) {
                    metrics.put(names.get(i), value);
                }
            }
            return Future.succeededFuture(metrics);
        });
    }

    private Future<Double> query(String name, String promql) {
        return web.getAbs(baseUrl + "/api/v1/query").addQueryParam("query", promql).timeout(timeoutMs).send()
                .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + response.statusCode());
                    }
                    return valueOf(Json.parse(response.bodyAsString()));
                })
                .onFailure(e -> log.warn("Prometheus query {} ({}) failed: {}", name, promql, Probes.describe(e)));
    }

    /** The value of a Prometheus query response, or null when it holds no sample. */
    static Double valueOf(JsonNode response) {
        if (!"success".equals(response.path("status").asText())) {
            throw new IllegalStateException("status " + response.path("status").asText("missing") + ": "
                    + response.path("error").asText(""));
        }
        JsonNode data = response.path("data");
        JsonNode result = data.path("result");
        return switch (data.path("resultType").asText()) {
            case "scalar" -> sample(result);
            case "vector" -> {
                Double max = null;
                for (JsonNode series : result) {
                    Double v = sample(series.path("value"));
                    if (v != null && (max == null || v > max)) {
                        max = v;
                    }
                }
                yield max;
            }
            default -> throw new IllegalStateException("unsupported result type " + data.path("resultType"));
        };
    }

    /** {@code [unixSeconds, "value"]}; NaN and infinities (no traffic) count as no sample. */
    private static Double sample(JsonNode pair) {
        if (!pair.isArray() || pair.size() != 2) {
            return null;
        }
        try {
            double v = Double.parseDouble(pair.get(1).asText());
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
