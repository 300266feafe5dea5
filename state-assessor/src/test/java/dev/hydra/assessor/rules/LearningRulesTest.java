package dev.hydra.assessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.IterationReport;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.TaskResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Iteration reports and the regressions they give the self-improvement crew, without Kafka. */
class LearningRulesTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final LearningRules RULES = new LearningRules(LearningRules.Thresholds.DEFAULT);

    private static TaskResult result(Crew crew, String action, Outcome outcome, long durationMs) {
        return new TaskResult("t-" + System.nanoTime(), crew, action, outcome, outcome == Outcome.FAILED
                ? "model endpoint refused the request" : "ok", Map.of(), 100, durationMs, "node-1", T0);
    }

    @Test
    void aReportCountsEachCrewAndActionAndCarriesFailuresInARowAcrossIterations() {
        IterationLog log = new IterationLog("run", T0);
        log.add(result(Crew.RESEARCH, "research_topic", Outcome.SUCCEEDED, 1_000));
        log.add(result(Crew.RESEARCH, "research_topic", Outcome.FAILED, 3_000));
        log.add(result(Crew.INFRASTRUCTURE, "restart_service", Outcome.SUCCEEDED, 500));
        IterationReport first = log.close(T0.plusSeconds(300), 2);
        assertThat(first.id()).isEqualTo("run-1");
        assertThat(first.from()).isEqualTo(T0);
        assertThat(first.approvalsWaiting()).isEqualTo(2);
        IterationReport.ActionStats research = first.actions().get(0);
        assertThat(research.completed()).isEqualTo(1);
        assertThat(research.failed()).isEqualTo(1);
        assertThat(research.errorRate()).isEqualTo(0.5);
        assertThat(research.meanDurationMs()).isEqualTo(2_000);
        assertThat(research.maxDurationMs()).isEqualTo(3_000);
        assertThat(research.tokens()).isEqualTo(200);
        assertThat(research.consecutiveFailures()).isEqualTo(1);
        assertThat(research.lastFailure()).isEqualTo("model endpoint refused the request");
        assertThat(RULES.identify(first)).as("2 results: fewer than minTasks").isEmpty();

        log.add(result(Crew.RESEARCH, "research_topic", Outcome.FAILED, 2_000));
        log.add(result(Crew.RESEARCH, "research_topic", Outcome.FAILED, 2_000));
        IterationReport second = log.close(T0.plusSeconds(600), 0);
        assertThat(second.from()).isEqualTo(first.to());
        assertThat(second.actions()).singleElement().satisfies(row -> {
            assertThat(row.consecutiveFailures()).isEqualTo(3);
            assertThat(row.previousMeanDurationMs()).isEqualTo(2_000);
        });
        assertThat(RULES.identify(second)).singleElement().satisfies(gap -> {
            assertThat(gap.rule()).isEqualTo(Rule.ITERATION_REGRESSION);
            assertThat(gap.task().crew()).isEqualTo(Crew.SELF_IMPROVEMENT);
            assertThat(gap.task().priority()).isEqualTo(4);
            assertThat(gap.task().action()).isEqualTo(LearningRules.ACTION);
            assertThat(gap.task().description()).isEqualTo("Improve: research research_topic failed 3 times in a row");
            assertThat(gap.task().task()).containsEntry("trigger", "repeated_failures")
                    .containsEntry("taskAction", "research_topic").containsKey("report");
        });
    }

    @Test
    void aHighErrorRateAndADoubledDurationAreRegressionsButTheSelfImprovementCrewsOwnAreNot() {
        IterationLog log = new IterationLog("run", T0);
        for (int i = 0; i < 3; i++) {
            log.add(result(Crew.DEVELOPMENT, "complete_feature", Outcome.SUCCEEDED, 10_000));
            log.add(result(Crew.SELF_IMPROVEMENT, "analyze_iteration", Outcome.FAILED, 1_000));
        }
        assertThat(RULES.identify(log.close(T0.plusSeconds(300), 0))).isEmpty();
        log.add(result(Crew.DEVELOPMENT, "complete_feature", Outcome.FAILED, 30_000));
        log.add(result(Crew.DEVELOPMENT, "complete_feature", Outcome.SUCCEEDED, 25_000));
        log.add(result(Crew.DEVELOPMENT, "complete_feature", Outcome.FAILED, 20_000));
        List<Gap> gaps = RULES.identify(log.close(T0.plusSeconds(600), 0));
        assertThat(gaps).extracting(g -> g.task().description()).containsExactly(
                "Improve: development complete_feature failed 2 of 3 (error rate 67%)",
                "Improve: development complete_feature took 25000 ms on average, 10000 ms before");
        assertThat(gaps).extracting(g -> g.task().id()).doesNotHaveDuplicates();
    }

    @Test
    void aStreakOfFailuresStaysOpenThroughAQuietIterationAndEndsWithASuccess() {
        IterationLog log = new IterationLog("run", T0);
        for (int i = 0; i < 3; i++) {
            log.add(result(Crew.RESEARCH, "describe_image", Outcome.FAILED, 800));
        }
        List<Gap> failing = RULES.identify(log.close(T0.plusSeconds(300), 0));
        assertThat(failing).hasSize(1);
        IterationReport quiet = log.close(T0.plusSeconds(600), 0);
        assertThat(quiet.actions()).singleElement().satisfies(row -> {
            assertThat(row.total()).isZero();
            assertThat(row.consecutiveFailures()).isEqualTo(3);
            assertThat(row.lastFailure()).isEqualTo("model endpoint refused the request");
        });
        assertThat(RULES.identify(quiet)).extracting(g -> g.task().id())
                .containsExactly(failing.get(0).task().id());
        log.add(result(Crew.RESEARCH, "describe_image", Outcome.SUCCEEDED, 800));
        assertThat(RULES.identify(log.close(T0.plusSeconds(900), 0))).isEmpty();
    }

    @Test
    void resultsUnderEverNewActionsGiveBoundedReportsAndAtMostAFewTasks() throws Exception {
        IterationLog log = new IterationLog("run", T0);
        for (int i = 0; i < 5_000; i++) {
            String action = "act" + i + "-" + "x".repeat(5_000);
            for (int n = 0; n < 3; n++) {
                log.add(result(Crew.DEVELOPMENT, action, Outcome.FAILED, 1_000));
            }
        }
        log.add(result(Crew.INFRASTRUCTURE, "restart_service", Outcome.SUCCEEDED, 500));
        IterationReport report = log.close(T0.plusSeconds(300), 0);
        assertThat(report.actions()).hasSizeLessThanOrEqualTo(IterationLog.MAX_KEYS + Crew.values().length);
        assertThat(report.actions()).allSatisfy(row -> assertThat(row.action().length())
                .isLessThanOrEqualTo(IterationLog.MAX_ACTION_CHARS));
        assertThat(report.actions()).anySatisfy(row -> {
            assertThat(row.action()).isEqualTo(IterationLog.OTHER);
            assertThat(row.failed()).isEqualTo((5_000 - IterationLog.MAX_KEYS) * 3);
        });
        assertThat(dev.hydra.topics.Json.MAPPER.writeValueAsBytes(report).length).as("fits a Kafka record")
                .isLessThan(1_000_000);
        List<Gap> gaps = RULES.identify(report);
        assertThat(gaps).hasSize(LearningRules.MAX_GAPS_PER_REPORT);
        assertThat(gaps).allSatisfy(gap -> assertThat(dev.hydra.topics.Json.MAPPER.writeValueAsBytes(gap.task()).length)
                .isLessThan(1_000_000));
        assertThat(gaps.get(0).task().description()).contains("(other actions) failed 14700 times in a row");
    }
}
