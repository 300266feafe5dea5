package dev.hydra.assessor.rules;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ServiceHealth;
import dev.hydra.topics.events.StateSnapshot;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.memory.Technology;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/** One test per rule of the seed's identify_gaps / identify_opportunities, plus its prioritization. */
class GapRulesTest {
    private static final Instant AT = Instant.parse("2026-11-24T05:00:00Z");
    private final GapRules rules = new GapRules(GapRules.Thresholds.SEED);

    private static StateSnapshot state(List<ServiceHealth> services, Map<String, Double> metrics,
                                       List<String> features, List<String> gaps) {
        return new StateSnapshot("s1", AT, services, metrics, features, gaps, "");
    }

    private static StateSnapshot empty() {
        return state(List.of(), Map.of(), List.of(), List.of());
    }

    @Test
    void failedServiceBecomesACriticalInfrastructureRestart() {
        StateSnapshot s = state(List.of(new ServiceHealth("letta", false, "HTTP 503", 3),
                new ServiceHealth("qdrant", true, "HTTP 200", 2)), Map.of(), List.of(), List.of());

        List<Gap> gaps = rules.identify(s, List.of());

        assertThat(gaps).singleElement().satisfies(g -> {
            assertThat(g.rule()).isEqualTo(Rule.FAILED_SERVICE);
            Task t = g.task();
            assertThat(t.type()).isEqualTo("infrastructure");
            assertThat(t.priority()).isEqualTo(1);
            assertThat(t.impact()).isEqualTo(80);
            assertThat(t.description()).isEqualTo("Fix failed service: letta");
            assertThat(t.crew()).isEqualTo(Crew.INFRASTRUCTURE);
            assertThat(t.task()).containsExactly(Map.entry("action", "restart_service"), Map.entry("service", "letta"));
            assertThat(t.resources()).containsExactly("service:letta");
            assertThat(t.source()).isEqualTo("state-assessor");
            assertThat(t.createdAt()).isEqualTo(AT);
        });
    }

    @Test
    void incompleteFeatureBecomesAHighPriorityDevelopmentTask() {
        List<Gap> gaps = rules.identify(state(List.of(), Map.of(), List.of("dark mode"), List.of()), List.of());

        assertThat(gaps).singleElement().satisfies(g -> {
            assertThat(g.rule()).isEqualTo(Rule.INCOMPLETE_FEATURE);
            assertThat(g.task().priority()).isEqualTo(2);
            assertThat(g.task().crew()).isEqualTo(Crew.DEVELOPMENT);
            assertThat(g.task().type()).isEqualTo("development");
            assertThat(g.task().description()).isEqualTo("Complete feature: dark mode");
            assertThat(g.task().task()).containsExactly(Map.entry("action", "complete_feature"),
                    Map.entry("feature", "dark mode"));
        });
    }

    @Test
    void knowledgeGapBecomesAMediumPriorityResearchTask() {
        List<Gap> gaps = rules.identify(state(List.of(), Map.of(), List.of(), List.of("speculative decoding")),
                List.of());

        assertThat(gaps).singleElement().satisfies(g -> {
            assertThat(g.rule()).isEqualTo(Rule.KNOWLEDGE_GAP);
            assertThat(g.task().priority()).isEqualTo(3);
            assertThat(g.task().crew()).isEqualTo(Crew.RESEARCH);
            assertThat(g.task().description()).isEqualTo("Research: speculative decoding");
            assertThat(g.task().task()).containsExactly(Map.entry("action", "research_topic"),
                    Map.entry("topic", "speculative decoding"));
        });
    }

    @Test
    void inferenceP95OverTheThresholdBecomesAnOptimizationWithCurrentAndTargetValue() {
        assertThat(rules.identify(state(List.of(), Map.of("inference_latency_p95", 2_000.0), List.of(), List.of()),
                List.of())).as("exactly at the threshold is not over it").isEmpty();

        List<Gap> gaps = rules.identify(state(List.of(), Map.of("inference_latency_p95", 2_350.5), List.of(),
                List.of()), List.of());

        assertThat(gaps).singleElement().satisfies(g -> {
            assertThat(g.rule()).isEqualTo(Rule.SLOW_INFERENCE);
            assertThat(g.task().priority()).isEqualTo(3);
            assertThat(g.task().type()).isEqualTo("optimization");
            assertThat(g.task().crew()).isEqualTo(Crew.INFRASTRUCTURE);
            assertThat(g.task().description()).isEqualTo("Optimize inference latency");
            assertThat(g.task().task()).containsEntry("action", "optimize_inference")
                    .containsEntry("target_metric", "latency_p95").containsEntry("current_value", 2_350.5)
                    .containsEntry("target_value", 1_500.0);
        });
    }

    @Test
    void latencyThresholdAndTargetAreConfiguration() {
        GapRules strict = new GapRules(new GapRules.Thresholds(500, 300));

        List<Gap> gaps = strict.identify(state(List.of(), Map.of("inference_latency_p95", 800.0), List.of(),
                List.of()), List.of());

        assertThat(gaps).singleElement().extracting(g -> g.task().task().get("target_value")).isEqualTo(300.0);
    }

    @Test
    void technologyToEvaluateBecomesALowPriorityEvaluation() {
        Technology vllm = new Technology("vLLM 0.8", Map.of("reason", "faster prefill"));

        List<Gap> gaps = rules.identify(empty(), List.of(vllm));

        assertThat(gaps).singleElement().satisfies(g -> {
            assertThat(g.rule()).isEqualTo(Rule.TECHNOLOGY_TO_EVALUATE);
            assertThat(g.task().priority()).isEqualTo(4);
            assertThat(g.task().type()).isEqualTo("evaluation");
            assertThat(g.task().crew()).isEqualTo(Crew.RESEARCH);
            assertThat(g.task().description()).isEqualTo("Evaluate: vLLM 0.8");
            assertThat(g.task().task()).containsEntry("action", "evaluate_technology")
                    .containsEntry("technology", Map.of("name", "vLLM 0.8", "reason", "faster prefill"));
        });
    }

    @Test
    void prioritizesByPriorityThenImpactLikeTheSeed() {
        StateSnapshot s = state(List.of(new ServiceHealth("letta", false, "", 0)),
                Map.of("inference_latency_p95", 2_500.0), List.of("dark mode"), List.of("rag"));

        List<Gap> gaps = rules.identify(s, List.of(Technology.named("SGLang")));

        assertThat(gaps).extracting(Gap::rule).containsExactly(Rule.FAILED_SERVICE, Rule.INCOMPLETE_FEATURE,
                Rule.SLOW_INFERENCE, Rule.KNOWLEDGE_GAP, Rule.TECHNOLOGY_TO_EVALUATE);
    }

    @Test
    void theSameGapSeenTwiceIsTheSameTaskSoTheRouterCanDropTheRepeat() {
        StateSnapshot first = state(List.of(new ServiceHealth("letta", false, "", 0)), Map.of(), List.of(), List.of());
        StateSnapshot later = new StateSnapshot("s2", AT.plusSeconds(300), first.services(), Map.of(), List.of(),
                List.of(), "");

        String id = rules.identify(first, List.of()).get(0).task().id();

        assertThat(rules.identify(later, List.of()).get(0).task().id()).isEqualTo(id)
                .isEqualTo(GapRules.taskId(Crew.INFRASTRUCTURE, "restart_service", "letta"))
                .isNotEqualTo(GapRules.taskId(Crew.INFRASTRUCTURE, "restart_service", "qdrant"));
    }

    @Test
    void aHealthyStateWithNothingToDoProposesNothing() {
        assertThat(rules.identify(state(List.of(new ServiceHealth("letta", true, "HTTP 200", 1)),
                Map.of("inference_latency_p95", 900.0), List.of(), List.of()), List.of())).isEmpty();
    }
}
