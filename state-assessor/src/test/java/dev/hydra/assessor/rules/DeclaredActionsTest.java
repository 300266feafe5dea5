package dev.hydra.assessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.actions.CrewActions;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.IterationReport;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.ServiceHealth;
import dev.hydra.topics.events.StateSnapshot;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.memory.Technology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every task the assessor proposes names an action its crew runs (the contract's actions.table): the
 * filter would otherwise refuse the assessor's own work. A state that sets off every rule is judged,
 * and a rule added without a case here fails the test too.
 */
class DeclaredActionsTest {
    private static final Instant AT = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void everyRuleProposesOnlyActionsItsCrewDeclares() {
        StateSnapshot state = new StateSnapshot("s1", AT, List.of(new ServiceHealth("letta", false, "HTTP 503", 3)),
                Map.of(GapRules.INFERENCE_LATENCY_P95, 4_000.0), List.of("dark mode"), List.of("vector search"), "");
        List<Gap> gaps = new ArrayList<>(new GapRules(GapRules.Thresholds.SEED)
                .identify(state, List.of(Technology.named("duckdb"))));
        IterationLog log = new IterationLog("run", AT);
        for (int i = 0; i < 3; i++) {
            log.add(new TaskResult("t-" + i, Crew.RESEARCH, "research_topic", Outcome.FAILED, "model refused", Map.of(),
                    10, 1_000, "node-1", AT));
        }
        IterationReport report = log.close(AT.plusSeconds(300), 0);
        gaps.addAll(new LearningRules(LearningRules.Thresholds.DEFAULT).identify(report));

        EnumSet<Rule> fired = EnumSet.noneOf(Rule.class);
        gaps.forEach(g -> fired.add(g.rule()));
        assertThat(fired).as("a state that sets off every rule").containsExactlyInAnyOrder(Rule.values());
        assertThat(gaps).allSatisfy(gap -> assertThat(CrewActions.standard().refusal(gap.task()))
                .as("%s proposes %s for %s", gap.rule(), gap.task().action(), gap.task().crew()).isEmpty());
        assertThat(gaps).extracting(g -> g.task().crew() + " " + g.task().action()).containsOnly(
                "infrastructure restart_service", "development complete_feature", "research research_topic",
                "infrastructure optimize_inference", "research evaluate_technology",
                "self_improvement analyze_iteration");
    }
}
