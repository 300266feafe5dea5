package dev.hydra.assessor;

import dev.hydra.topics.config.KnownSettings;
import dev.hydra.topics.config.Setting;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every setting of the state assessor, declared once: section {@code assessor:} of hydra.yaml,
 * overridden by {@code HYDRA_ASSESSOR_*}. The services to probe are the shared {@code services:}
 * list ({@link ServiceTarget}); the named Prometheus queries are the mapping
 * {@code assessor.prometheus.queries}.
 */
public final class AssessorSettings {
    /** When the assessor assesses. */
    public enum Mode {
        /** At start, every interval and after each source change: the seed's 24/7 loop. */
        AUTONOMOUS,
        /** Only when asked ({@code hydra up --test} drives its iterations one at a time). */
        ON_REQUEST
    }

    public static final Setting<Mode> MODE = Setting.oneOf("assessor.mode", "HYDRA_ASSESSOR_MODE", Mode.AUTONOMOUS,
            Mode.class, "when to assess: autonomous (at start, every interval, on source changes) or on_request");
    public static final Setting<Duration> INTERVAL = Setting.duration("assessor.interval", "HYDRA_ASSESSOR_INTERVAL",
            "5m", "time between two scheduled assessments (the seed's loop sleeps 300 s)");
    public static final Setting<Duration> PROBE_TIMEOUT = Setting.duration("assessor.probeTimeout",
            "HYDRA_ASSESSOR_PROBE_TIMEOUT", "5s", "how long a health probe or metrics query may take");
    public static final Setting<Integer> PROBE_ATTEMPTS = Setting.integer("assessor.probeAttempts",
            "HYDRA_ASSESSOR_PROBE_ATTEMPTS", 2, 1, 10, "probes in a row that must fail before a service counts as failed");
    public static final Setting<Duration> DEBOUNCE = Setting.duration("assessor.debounce",
            "HYDRA_ASSESSOR_DEBOUNCE", "2s", "quiet time after a source change before the assessment it triggers");

    public static final Setting<Integer> INFERENCE_LATENCY_P95_MAX_MS = Setting.integer(
            "assessor.thresholds.inferenceLatencyP95Ms", "HYDRA_ASSESSOR_INFERENCE_LATENCY_P95_MS", 2_000, 1,
            3_600_000, "p95 inference latency above which an optimize_inference task is proposed");
    public static final Setting<Integer> INFERENCE_LATENCY_P95_TARGET_MS = Setting.integer(
            "assessor.thresholds.inferenceLatencyTargetMs", "HYDRA_ASSESSOR_INFERENCE_LATENCY_TARGET_MS", 1_500, 1,
            3_600_000, "the target value an optimize_inference task asks for");

    public static final Setting<Boolean> LEARNING = Setting.flag("assessor.learning.enabled",
            "HYDRA_ASSESSOR_LEARNING_ENABLED", true,
            "publish an iteration report on hydra.iterations after each assessment and give the self-improvement "
                    + "crew a P4 analyze_iteration task when one crosses a threshold below");
    public static final Setting<Integer> LEARNING_MIN_TASKS = Setting.integer("assessor.learning.minTasks",
            "HYDRA_ASSESSOR_LEARNING_MIN_TASKS", 3, 1, 100_000,
            "results of a crew and action in one iteration before its error rate or duration counts");
    public static final Setting<Integer> LEARNING_MAX_ERROR_RATE = Setting.integer(
            "assessor.learning.maxErrorRatePercent", "HYDRA_ASSESSOR_LEARNING_MAX_ERROR_RATE_PERCENT", 50, 1, 100,
            "error rate (failed of ended, in %) at or above which a crew and action is analysed");
    public static final Setting<Integer> LEARNING_REPEATED_FAILURES = Setting.integer(
            "assessor.learning.repeatedFailures", "HYDRA_ASSESSOR_LEARNING_REPEATED_FAILURES", 3, 1, 1_000,
            "failures in a row of a crew and action (across iterations) that get it analysed");
    public static final Setting<Integer> LEARNING_DURATION_INCREASE = Setting.integer(
            "assessor.learning.durationIncreasePercent", "HYDRA_ASSESSOR_LEARNING_DURATION_INCREASE_PERCENT", 100, 1,
            100_000, "how much slower (in %) than its earlier mean an action may get before it is analysed");

    public static final Setting<String> PROMETHEUS_URL = new Setting<>("assessor.prometheus.url",
            "HYDRA_ASSESSOR_PROMETHEUS_URL", "", AssessorSettings::parseOptionalHttpUrl,
            "an http(s) base URL such as http://127.0.0.1:9090, or empty to query no metrics",
            "Prometheus server the named queries run against");

    public static final Setting<Boolean> FEATURES = Setting.flag("assessor.features.enabled",
            "HYDRA_ASSESSOR_FEATURES_ENABLED", true, "read the features backlog from hydra.cdc.features");
    public static final Setting<String> FEATURE_NAME_COLUMN = Setting.text("assessor.features.nameColumn",
            "HYDRA_ASSESSOR_FEATURE_NAME_COLUMN", "name", "column of the features table naming a feature");
    public static final Setting<String> FEATURE_STATUS_COLUMN = Setting.text("assessor.features.statusColumn",
            "HYDRA_ASSESSOR_FEATURE_STATUS_COLUMN", "status", "column of the features table holding its status");
    public static final Setting<Set<String>> FEATURE_DONE_STATUSES = new Setting<>("assessor.features.doneStatuses",
            "HYDRA_ASSESSOR_FEATURE_DONE_STATUSES", "done,complete,completed,cancelled", AssessorSettings::parseWords,
            "a comma-separated list of statuses", "statuses of a feature that is not incomplete");

    public static final Setting<Boolean> KNOWLEDGE_GAPS = Setting.flag("assessor.knowledgeGaps.enabled",
            "HYDRA_ASSESSOR_KNOWLEDGE_GAPS_ENABLED", true, "read knowledge gaps from hydra.cdc.knowledge_gaps");
    public static final Setting<String> GAP_TOPIC_COLUMN = Setting.text("assessor.knowledgeGaps.topicColumn",
            "HYDRA_ASSESSOR_GAP_TOPIC_COLUMN", "topic", "column of the knowledge_gaps table naming the topic");
    public static final Setting<String> GAP_RESOLVED_COLUMN = Setting.text("assessor.knowledgeGaps.resolvedColumn",
            "HYDRA_ASSESSOR_GAP_RESOLVED_COLUMN", "resolved", "boolean column of knowledge_gaps: true = closed");

    public static final Setting<Boolean> RESEARCH_FINDINGS = Setting.flag("assessor.researchFindings.enabled",
            "HYDRA_ASSESSOR_RESEARCH_FINDINGS_ENABLED", true,
            "read technologies_to_evaluate from a memory block on hydra.memory.blocks");
    public static final Setting<String> RESEARCH_FINDINGS_BLOCK = Setting.text("assessor.researchFindings.block",
            "HYDRA_ASSESSOR_RESEARCH_FINDINGS_BLOCK", "research_findings", "name of the research crew's block");

    public static final Setting<Boolean> SERVICE_REGISTRY = Setting.flag("assessor.serviceRegistry.enabled",
            "HYDRA_ASSESSOR_SERVICE_REGISTRY_ENABLED", true,
            "also probe the services registered in Postgres (hydra.cdc.services); hydra.yaml wins on a name clash");
    public static final Setting<String> REGISTRY_NAME_COLUMN = Setting.text("assessor.serviceRegistry.nameColumn",
            "HYDRA_ASSESSOR_REGISTRY_NAME_COLUMN", "name", "column of the services table naming the service");
    public static final Setting<String> REGISTRY_HEALTH_COLUMN = Setting.text("assessor.serviceRegistry.healthColumn",
            "HYDRA_ASSESSOR_REGISTRY_HEALTH_COLUMN", "health_url",
            "column of the services table with an http(s):// health URL or tcp://HOST:PORT");

    /** The mapping of metric name to PromQL under this path. */
    public static final String PROMETHEUS_QUERIES_PATH = KnownSettings.section("assessor.prometheus.queries");
    /** The shared list of services to probe. */
    public static final String SERVICES_PATH = KnownSettings.section("services");

    private AssessorSettings() {
    }

    private static String parseOptionalHttpUrl(String raw) {
        if (!raw.isEmpty() && !raw.matches("(?i)https?://[^\\s/]+(/\\S*)?")) {
            throw new IllegalArgumentException(raw);
        }
        return raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
    }

    private static Set<String> parseWords(String raw) {
        return Arrays.stream(raw.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
