package dev.hydra.assessor.rules;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.StateSnapshot;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.memory.Technology;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The seed orchestrator's {@code identify_gaps}, {@code identify_opportunities} and
 * {@code prioritize_tasks}: what a snapshot of the state asks the crews to do. Framework-free.
 *
 * <p>A gap's id is derived from what it is about (UUID v3 of crew, action and target);
 * {@link GapEpisodes} turns it into the id of one occurrence, so the same gap seen by two assessments
 * is the same task (the router's dedup drops the repeat) and a gap that reopens is new work.
 */
public final class GapRules {
    public static final String SOURCE = "state-assessor";
    /** The metric the seed's latency rule reads, filled by a named Prometheus query. */
    public static final String INFERENCE_LATENCY_P95 = "inference_latency_p95";

    /** Within a priority, higher impact goes first; the seed leaves impact unset, these order its rules. */
    static final int FAILED_SERVICE_IMPACT = 80;
    static final int INCOMPLETE_FEATURE_IMPACT = 60;
    static final int KNOWLEDGE_GAP_IMPACT = 40;
    static final int SLOW_INFERENCE_IMPACT = 50;
    static final int TECHNOLOGY_IMPACT = 20;

    /**
     * @param inferenceLatencyP95MaxMs p95 latency above which inference is optimized (seed: 2,000 ms)
     * @param inferenceLatencyTargetMs the target the optimization task asks for (seed: 1,500 ms)
     */
    public record Thresholds(double inferenceLatencyP95MaxMs, double inferenceLatencyTargetMs) {
        public static final Thresholds SEED = new Thresholds(2_000, 1_500);
    }

    private final Thresholds thresholds;

    public GapRules(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** Gaps and opportunities of one assessment, most urgent first. */
    public List<Gap> identify(StateSnapshot state, List<Technology> technologiesToEvaluate) {
        List<Gap> all = new ArrayList<>(gaps(state));
        all.addAll(opportunities(state, technologiesToEvaluate));
        return prioritize(all);
    }

    /** Failed services (P1), incomplete features (P2), knowledge gaps (P3). */
    public List<Gap> gaps(StateSnapshot state) {
        Instant at = state.at();
        List<Gap> gaps = new ArrayList<>();
        for (String service : state.failedServices()) {
            gaps.add(gap(Rule.FAILED_SERVICE, "infrastructure", 1, FAILED_SERVICE_IMPACT,
                    "Fix failed service: " + service, Crew.INFRASTRUCTURE,
                    payload("restart_service", "service", service), List.of("service:" + service), service, at));
        }
        for (String feature : state.incompleteFeatures()) {
            gaps.add(gap(Rule.INCOMPLETE_FEATURE, "development", 2, INCOMPLETE_FEATURE_IMPACT,
                    "Complete feature: " + feature, Crew.DEVELOPMENT,
                    payload("complete_feature", "feature", feature), List.of(), feature, at));
        }
        for (String topic : state.knowledgeGaps()) {
            gaps.add(gap(Rule.KNOWLEDGE_GAP, "research", 3, KNOWLEDGE_GAP_IMPACT, "Research: " + topic,
                    Crew.RESEARCH, payload("research_topic", "topic", topic), List.of(), topic, at));
        }
        return gaps;
    }

    /** Slow inference (P3) and technologies the research crew wants evaluated (P4). */
    public List<Gap> opportunities(StateSnapshot state, List<Technology> technologiesToEvaluate) {
        Instant at = state.at();
        List<Gap> opportunities = new ArrayList<>();
        Double p95 = state.metrics().get(INFERENCE_LATENCY_P95);
        if (p95 != null && p95 > thresholds.inferenceLatencyP95MaxMs()) {
            Map<String, Object> task = payload("optimize_inference", "target_metric", "latency_p95");
            task.put("current_value", p95);
            task.put("target_value", thresholds.inferenceLatencyTargetMs());
            opportunities.add(gap(Rule.SLOW_INFERENCE, "optimization", 3, SLOW_INFERENCE_IMPACT,
                    "Optimize inference latency", Crew.INFRASTRUCTURE, task, List.of(), "latency_p95", at));
        }
        for (Technology technology : technologiesToEvaluate) {
            Map<String, Object> task = payload("evaluate_technology", "technology", technology.asMap());
            opportunities.add(gap(Rule.TECHNOLOGY_TO_EVALUATE, "evaluation", 4, TECHNOLOGY_IMPACT,
                    "Evaluate: " + technology.name(), Crew.RESEARCH, task, List.of(), technology.name(), at));
        }
        return opportunities;
    }

    /** The seed's sort: priority ascending, then impact descending (stable for ties). */
    public static List<Gap> prioritize(List<Gap> gaps) {
        return gaps.stream().sorted(Comparator.<Gap>comparingInt(g -> g.task().priority())
                .thenComparing(g -> -g.task().impact())).toList();
    }

    /** The stable id of the task a rule proposes for {@code target}: UUID v3 of crew, action and target. */
    public static String taskId(Crew crew, String action, String target) {
        String name = "hydra:" + crew.wireName() + ":" + action + ":" + target;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The task id of one episode of a gap: UUID v3 of the gap's id and the instant it opened. */
    public static String episodeId(String gapId, Instant openedAt) {
        String name = "hydra:episode:" + gapId + "@" + openedAt.toEpochMilli();
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static Gap gap(Rule rule, String type, int priority, int impact, String description, Crew crew,
                           Map<String, Object> task, List<String> resources, String target, Instant at) {
        String id = taskId(crew, (String) task.get("action"), target);
        return new Gap(rule, new Task(id, type, priority, impact, description, crew, task, resources, List.of(),
                SOURCE, at));
    }

    private static Map<String, Object> payload(String action, String key, Object value) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("action", action);
        task.put(key, value);
        return task;
    }
}
