package dev.hydra.assessor.rules;

import dev.hydra.topics.Json;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.IterationReport;
import dev.hydra.topics.events.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The seed's "learn" step: an iteration report that crosses a threshold gives the self-improvement
 * crew a P4 {@code analyze_iteration} task with the report as its input; what that crew proposes goes
 * through the constitution like any task. The same regression seen by consecutive iterations is one
 * episode ({@link GapEpisodes}), so it is analysed once while it lasts. The self-improvement crew's
 * own results never trigger it (it would be asked to analyse itself without end). Framework-free.
 */
public final class LearningRules {
    public static final String ACTION = "analyze_iteration";
    static final int IMPACT = 30;
    /**
     * The most analyze_iteration tasks one report gives: each carries the report, and results that
     * fail under many actions at once (an outage, or a producer writing results) would otherwise give
     * the self-improvement crew one task per action. The worst rows go first.
     */
    public static final int MAX_GAPS_PER_REPORT = 3;

    /**
     * @param minTasks results of a crew and action in an iteration before its error rate or duration counts
     * @param maxErrorRatePercent error rate (failed / ended, in %) at or above which it is a regression
     * @param repeatedFailures failures in a row (across iterations) that make it one
     * @param durationIncreasePercent how much slower than its earlier mean (in %) an action may get
     */
    public record Thresholds(int minTasks, int maxErrorRatePercent, int repeatedFailures, int durationIncreasePercent) {
        public static final Thresholds DEFAULT = new Thresholds(3, 50, 3, 100);
    }

    private final Thresholds thresholds;

    public LearningRules(Thresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** The regressions of one report, as self-improvement gaps. */
    public List<Gap> identify(IterationReport report) {
        List<Gap> gaps = new ArrayList<>();
        List<IterationReport.ActionStats> worstFirst = report.actions().stream()
                .sorted(java.util.Comparator.comparingInt(IterationReport.ActionStats::consecutiveFailures)
                        .thenComparingInt(IterationReport.ActionStats::failed).reversed()).toList();
        for (IterationReport.ActionStats row : worstFirst) {
            if (row.crew() == Crew.SELF_IMPROVEMENT) {
                continue;
            }
            String label = row.crew().wireName() + " " + (row.action().isEmpty() ? "task" : row.action());
            if (row.consecutiveFailures() >= thresholds.repeatedFailures()) {
                gaps.add(gap(report, row, "repeated_failures", label + " failed " + row.consecutiveFailures()
                        + " times in a row"));
            } else if (row.total() >= thresholds.minTasks()
                    && row.errorRate() * 100 >= thresholds.maxErrorRatePercent()) {
                gaps.add(gap(report, row, "error_rate", label + " failed " + row.failed() + " of " + row.total()
                        + String.format(Locale.ROOT, " (error rate %.0f%%)", row.errorRate() * 100)));
            }
            if (row.total() >= thresholds.minTasks() && row.previousMeanDurationMs() > 0 && row.meanDurationMs()
                    >= row.previousMeanDurationMs() * (100 + thresholds.durationIncreasePercent()) / 100.0) {
                gaps.add(gap(report, row, "slower", label + " took " + row.meanDurationMs() + " ms on average, "
                        + row.previousMeanDurationMs() + " ms before"));
            }
        }
        return gaps.size() <= MAX_GAPS_PER_REPORT ? gaps : List.copyOf(gaps.subList(0, MAX_GAPS_PER_REPORT));
    }

    private static Gap gap(IterationReport report, IterationReport.ActionStats row, String trigger, String what) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("action", ACTION);
        task.put("trigger", trigger);
        task.put("crew", row.crew().wireName());
        task.put("taskAction", row.action());
        task.put("report", Json.MAPPER.convertValue(report, Map.class));
        String target = row.crew().wireName() + ":" + row.action() + ":" + trigger;
        String id = GapRules.taskId(Crew.SELF_IMPROVEMENT, ACTION, target);
        return new Gap(Rule.ITERATION_REGRESSION, new Task(id, "improvement", 4, IMPACT, "Improve: " + what,
                Crew.SELF_IMPROVEMENT, task, List.of(), List.of(), GapRules.SOURCE, report.to()));
    }
}
