package dev.hydra.crew;

import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an executor may use while working on one task: the task, which attempt this is, where it
 * runs, and the journal through which every side effect must pass.
 */
public record TaskContext(Task task, int attempt, String node, Path workDir, StepJournal journal) {

    /**
     * Runs a side effect at most once per (task id, attempt, step), and not again when an earlier
     * attempt of the task finished it (its result is replayed); in a dry run, never, and says what
     * would have run.
     */
    public StepJournal.StepResult step(String step, StepJournal.Effect effect) throws Exception {
        if (dryRun()) {
            return StepJournal.StepResult.ok("dry run: step " + step + " not executed");
        }
        List<String> earlier = new ArrayList<>();
        for (int previous = attempt - 1; previous >= 1; previous--) {
            earlier.add(StepJournal.stepKey(task.id(), previous, step));
        }
        return journal.runOnce(StepJournal.stepKey(task.id(), attempt, step), earlier, effect);
    }

    /** A dry-run replay: judged and worked on, but without side effects. */
    public boolean dryRun() {
        return Replay.isDryRun(task.replay());
    }
}
