package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.Json;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The provisioned Grafana dashboard and the alert rules against a real Prometheus (Debian's
 * server) scraping a real stack that has done some work: every panel query and alert expression
 * is valid PromQL, and each returns data, so a misspelt metric, a label that is never exposed or a
 * counter queried without {@code _total} fails here instead of drawing an empty panel in production.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardOnPrometheusTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Path OPS = Path.of("").toAbsolutePath();
    private static final Path DASHBOARD = OPS.resolve("grafana/dashboards/hydra-orchestrator.json");
    private static final Path ALERTS = OPS.resolve("prometheus/alerts.yml");
    /** An alert is a measure compared with a threshold; the measure must have data for the alert to mean anything. */
    private static final Pattern ALERT_SHAPE = Pattern.compile(
            "^(?<measure>.+?)\\s*(?<op>==|!=|>=|<=|>|<)\\s*(?<threshold>[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\\s*$", Pattern.DOTALL);

    private KafkaTestCluster kafka;
    private ModelStandIn model;
    private HydraStack stack;
    private PrometheusProcess prometheus;

    @BeforeAll
    void startStackAndPrometheus() throws Exception {
        Assumptions.assumeTrue(PrometheusProcess.installed(),
                "Debian's Prometheus server (" + PrometheusProcess.BINARY + ") is not installed; .ci/run installs the prometheus package");
        kafka = KafkaTestCluster.start();
        model = new ModelStandIn();
        stack = HydraStack.start(new HydraStack.Options(config(kafka.bootstrap(), model.baseUrl()),
                Files.createTempDirectory("hydra-dashboard"), Optional.of(kafka.bootstrap()), 0, Optional.of(0),
                List.of(Crew.values())));
        prometheus = PrometheusProcess.start(OPS.resolve("prometheus/prometheus.yml"), "127.0.0.1:" + stack.httpPort(),
                Files.createTempDirectory("prometheus"), OPS.resolve("grafana"));
        submitTraffic();
    }

    private static HydraConfig config(String bootstrap, String modelUrl) {
        String yaml = """
                kafka:
                  bootstrap: %s
                crews:
                  llm:
                    baseUrl: %s
                    model: %s
                """.formatted(bootstrap, modelUrl, ModelStandIn.MODEL);
        return HydraConfig.of(yaml, Map.of("HYDRA_CONSTITUTION",
                Path.of("../config/constitution.yaml").toAbsolutePath().normalize().toString()));
    }

    /**
     * Enough work that no panel is empty for want of traffic: every crew finishes a task, the research
     * agents spend tokens, one agent call fails, two tasks contend for one resource (a conflict that
     * is then resolved) and one task waits for a person's approval.
     */
    private void submitTraffic() throws Exception {
        for (Crew crew : Crew.values()) {
            submit("dash-noop-" + crew.wireName(), crew, 4, "pipeline smoke task",
                    Map.of("action", "noop", "target", crew.wireName()), List.of());
        }
        List<String> contended = List.of("path:/workspace/dashboard-demo");
        submit("dash-holder", Crew.INFRASTRUCTURE, 2, "holds the demo path for a few seconds",
                Map.of("action", "noop", "sleepMs", 4000, "target", "holder"), contended);
        submit("dash-waiter", Crew.DEVELOPMENT, 2, "needs the demo path too",
                Map.of("action", "noop", "target", "waiter"), contended);
        submit("dash-research", Crew.RESEARCH, 3, "Research: KRaft quorum sizing",
                Map.of("action", "research_topic", "topic", "KRaft quorum sizing"), List.of());
        submit("dash-refused", Crew.RESEARCH, 3, "Research: " + ModelStandIn.REFUSE,
                Map.of("action", "research_topic", "topic", ModelStandIn.REFUSE), List.of());
        submit("dash-parked", Crew.DEVELOPMENT, 2, "planned migration",
                Map.of("action", "complete_feature", "sql", "DROP DATABASE letta_old"), List.of());
    }

    private void submit(String id, Crew crew, int priority, String description, Map<String, Object> task,
                        List<String> resources) throws Exception {
        stack.submit(new Task(id, null, priority, 10, description, crew, task, resources, List.of(), "dashboard-test", null));
    }

    @AfterAll
    void stopEverything() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (model != null) {
            model.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void prometheusScrapesTheStackUnderTheJobTheAlertsWatch() {
        await("the stack's /metrics scraped").atMost(PATIENCE).untilAsserted(() -> {
            JsonNode targets = prometheus.api("targets?state=active").path("data").path("activeTargets");
            assertThat(targets).as("active targets").hasSize(1);
            assertThat(targets.get(0).path("health").asText()).as("target %s, last error %s",
                    targets.get(0).path("scrapeUrl").asText(), targets.get(0).path("lastError").asText()).isEqualTo("up");
            assertThat(targets.get(0).path("labels").path("job").asText()).isEqualTo("hydra-orchestrator");
        });
    }

    @Test
    void everyPanelQueriesTheProvisionedPrometheusDataSource() throws Exception {
        // Grafana draws "data source not found" for a uid that provisioning does not create.
        List<String> provisioned = new ArrayList<>();
        HydraConfig.YAML.readTree(OPS.resolve("grafana/provisioning/datasources/prometheus.yml").toFile())
                .path("datasources").forEach(source -> {
                    if (source.path("type").asText().equals("prometheus")) {
                        provisioned.add(source.path("uid").asText());
                    }
                });
        for (JsonNode panel : panels()) {
            List<JsonNode> sources = new ArrayList<>(List.of(panel.path("datasource")));
            panel.path("targets").forEach(target -> sources.add(target.path("datasource")));
            assertThat(sources).as("data sources of panel %s", panel.path("title").asText()).allSatisfy(source -> {
                if (!source.isMissingNode()) {
                    assertThat(source.path("uid").asText()).isIn(provisioned);
                }
            });
        }
    }

    @Test
    void everyPanelQueryIsValidAndReturnsDataOnceTasksHaveFlowed() throws Exception {
        Map<String, String> queries = panelQueries();
        assertThat(queries).as("panel queries").hasSizeGreaterThanOrEqualTo(8);
        // A parse error or an unknown function does not go away by waiting: report it at once.
        for (Map.Entry<String, String> query : queries.entrySet()) {
            JsonNode answer = prometheus.query(query.getValue());
            assertThat(answer.path("status").asText()).as("%s: %s -> %s", query.getKey(), query.getValue(),
                    answer.path("error").asText()).isEqualTo("success");
        }
        await("every panel has data").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(withoutData(queries)).as("panels without data").isEmpty());
    }

    @Test
    void everyAlertExpressionIsValidAndItsMeasureHasData() throws Exception {
        Map<String, String> measures = new LinkedHashMap<>();
        for (JsonNode rule : alertRules()) {
            String alert = rule.path("alert").asText();
            String expr = rule.path("expr").asText().trim();
            JsonNode answer = prometheus.query(expr);
            assertThat(answer.path("status").asText()).as("alert %s: %s -> %s", alert, expr, answer.path("error").asText())
                    .isEqualTo("success");
            Matcher shape = ALERT_SHAPE.matcher(expr);
            assertThat(shape.matches()).as("alert %s: %s is not `measure <comparison> threshold`, the one shape this test"
                    + " knows how to check; extend the test for it", alert, expr).isTrue();
            measures.put("alert " + alert + " measure", shape.group("measure"));
        }
        assertThat(measures).as("alert rules").hasSizeGreaterThanOrEqualTo(5);
        // A measure without data is an alert that can never fire (e.g. a metric that is not exposed).
        await("every alert measure has data").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(withoutData(measures)).as("alert measures without data").isEmpty());
    }

    @Test
    void prometheusLoadsEveryAlertRuleAndEvaluatesItWithoutError() throws Exception {
        List<String> expected = new ArrayList<>();
        alertRules().forEach(rule -> expected.add(rule.path("alert").asText()));
        // Groups are evaluated on their own interval (30 s), the first time at an offset within it.
        await("every rule evaluated").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Map<String, String> health = new LinkedHashMap<>();
            for (JsonNode group : prometheus.api("rules?type=alert").path("data").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    health.put(rule.path("name").asText(), rule.path("health").asText()
                            + (rule.path("lastError").asText().isEmpty() ? "" : ": " + rule.path("lastError").asText()));
                }
            }
            assertThat(health.keySet()).as("loaded alert rules (prometheus log: %s)", prometheus.log())
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(health).as("rule health").allSatisfy((name, state) -> assertThat(state).isEqualTo("ok"));
        });
    }

    @Test
    void thePreviewPageDrawsEveryPanelFromPrometheus() throws Exception {
        Path chromium = HeadlessChromium.binary().orElse(null);
        Assumptions.assumeTrue(chromium != null, "Debian's chromium is not installed (.ci/run installs it)");
        Map<String, String> queries = panelQueries();
        await("every panel has data").atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(withoutData(queries)).isEmpty());
        try (HeadlessChromium browser = HeadlessChromium.launch(chromium, Files.createTempDirectory("chromium"))) {
            browser.navigate(prometheus.url() + "/user/preview/index.html?from=now-5m&scrape=" + PrometheusProcess.SCRAPE_INTERVAL);
            await("the preview has drawn").atMost(PATIENCE).until(() ->
                    browser.eval("document.body.dataset.state || ''").asText().equals("done"));
            JsonNode drawn = browser.eval("JSON.stringify(window.previewSummary)");
            browser.screenshot(Path.of("target", "dashboard-preview.png"));
            JsonNode panels = Json.parse(drawn.asText());
            assertThat(panels).as("panels drawn").hasSize(panels().size());
            assertThat(panels).allSatisfy(panel -> {
                assertThat(panel.path("errors")).as("%s errors", panel.path("title").asText()).isEmpty();
                assertThat(panel.path("series").asInt()).as("%s series drawn", panel.path("title").asText()).isPositive();
            });
        }
    }

    /** Queries that return nothing, or only NaN (e.g. 0/0), with the answer, by name. */
    private List<String> withoutData(Map<String, String> queries) throws Exception {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> query : queries.entrySet()) {
            JsonNode answer = prometheus.query(query.getValue());
            boolean data = false;
            for (JsonNode series : answer.path("data").path("result")) {
                data |= isFinite(series.path("value").path(1).asText());
            }
            if (!data) {
                problems.add(query.getKey() + ": " + query.getValue() + " -> " + answer);
            }
        }
        return problems;
    }

    private static boolean isFinite(String sample) {
        try {
            return Double.isFinite(Double.parseDouble(sample));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static List<JsonNode> alertRules() throws IOException {
        List<JsonNode> rules = new ArrayList<>();
        HydraConfig.YAML.readTree(ALERTS.toFile()).path("groups").forEach(group -> group.path("rules").forEach(rule -> {
            if (rule.has("alert")) {
                rules.add(rule);
            }
        }));
        return rules;
    }

    private static List<JsonNode> panels() throws IOException {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : Json.MAPPER.readTree(DASHBOARD.toFile()).path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                panel.path("panels").forEach(panels::add); // a collapsed row keeps its panels inside
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    /** Every panel target's query as Grafana would send it, keyed by panel title and refId. */
    private static Map<String, String> panelQueries() throws IOException {
        JsonNode dashboard = Json.MAPPER.readTree(DASHBOARD.toFile());
        Map<String, String> variables = GrafanaVariables.of(dashboard, Duration.ofMinutes(5),
                Duration.parse("PT" + PrometheusProcess.SCRAPE_INTERVAL.toUpperCase()));
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : panels()) {
            JsonNode targets = panel.path("targets");
            assertThat(targets).as("panel %s has no query", panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : targets) {
                if (!target.path("hide").asBoolean(false)) {
                    queries.put("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                            GrafanaVariables.interpolate(target.path("expr").asText(), variables));
                }
            }
        }
        return queries;
    }

    /**
     * Grafana's substitution of template variables in a Prometheus query: the built-in interval and
     * range variables, computed as Grafana does, and the dashboard's own variables at their current
     * value. A variable neither defines is left as it is, as Grafana leaves it, so Prometheus then
     * rejects the query.
     */
    static final class GrafanaVariables {
        private static final Pattern REFERENCE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\[\\[(\\w+)]]|\\$(\\w+)");
        /** Grafana's default "max data points" of a panel about as wide as a screen. */
        private static final long MAX_DATA_POINTS = 1000;

        private GrafanaVariables() {
        }

        static Map<String, String> of(JsonNode dashboard, Duration range, Duration scrapeInterval) {
            Map<String, String> values = new LinkedHashMap<>();
            // $__interval: range / max data points, never below the data source's scrape interval.
            long intervalMs = Math.max(range.toMillis() / MAX_DATA_POINTS, scrapeInterval.toMillis());
            // $__rate_interval: max($__interval + scrape interval, 4 * scrape interval).
            long rateMs = Math.max(intervalMs + scrapeInterval.toMillis(), 4 * scrapeInterval.toMillis());
            values.put("__interval", intervalMs / 1000 + "s");
            values.put("__interval_ms", Long.toString(intervalMs));
            values.put("__rate_interval", rateMs / 1000 + "s");
            values.put("__range", range.toSeconds() + "s");
            values.put("__range_s", Long.toString(range.toSeconds()));
            values.put("__range_ms", Long.toString(range.toMillis()));
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                JsonNode current = variable.path("current").path("value");
                String value;
                if (current.isArray()) {
                    List<String> options = new ArrayList<>();
                    current.forEach(v -> options.add(v.asText()));
                    value = options.contains("$__all") ? ".*" : options.size() == 1 ? options.get(0)
                            : "(" + String.join("|", options) + ")";
                } else {
                    value = current.asText().equals("$__all") ? ".*" : current.asText();
                }
                values.put(variable.path("name").asText(), value);
            }
            return values;
        }

        static String interpolate(String expr, Map<String, String> values) {
            Matcher reference = REFERENCE.matcher(expr);
            StringBuilder out = new StringBuilder();
            while (reference.find()) {
                String name = reference.group(1) != null ? reference.group(1)
                        : reference.group(2) != null ? reference.group(2) : reference.group(3);
                reference.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(name, reference.group())));
            }
            return reference.appendTail(out).toString();
        }
    }
}
