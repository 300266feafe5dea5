package dev.hydra.crew;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The {@code noop} action every crew understands: it does nothing, quickly, so that benchmarks and
 * the crash suite measure Hydra rather than a model. Optional arguments: {@code sleepMs} (at most
 * 60,000) holds the task that long, and {@code effect: true} appends one line
 * {@code "<taskId> <attempt> <node>"} to {@code effects.log} in the work directory through the step
 * journal, a side effect whose repetition an outside checker can count.
 */
final class NoopExecutor implements TaskExecutor {
    static final String EFFECTS_LOG = "effects.log";
    private static final long MAX_SLEEP_MS = 60_000;

    @Override
    public TaskOutcome execute(TaskContext context) throws Exception {
        Map<String, Object> args = context.task().task();
        long sleepMs = args.get("sleepMs") instanceof Number n ? Math.max(0, Math.min(MAX_SLEEP_MS, n.longValue())) : 0;
        if (!Boolean.TRUE.equals(args.get("effect"))) {
            if (sleepMs > 0) {
                Thread.sleep(sleepMs);
            }
            return TaskOutcome.succeeded("nothing to do", Map.of(), 0);
        }
        StepJournal.StepResult result = context.step("effect", () -> {
            Thread.sleep(sleepMs);
            String line = context.task().id() + " " + context.attempt() + " " + context.node() + "\n";
            Files.writeString(context.workDir().resolve(EFFECTS_LOG), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
            return StepJournal.StepResult.ok("effect written");
        });
        return result.ok() ? TaskOutcome.succeeded(result.summary(), Map.of(), 0) : TaskOutcome.failed(result.summary());
    }
}
