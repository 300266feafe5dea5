package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step journal on a real file, as two workers sharing a work directory use it. */
class StepJournalTest {
    @TempDir
    Path dir;

    private final AtomicInteger runs = new AtomicInteger();

    private StepJournal.StepResult count() {
        runs.incrementAndGet();
        return StepJournal.StepResult.ok("ran");
    }

    @Test
    void whatOneWorkerDidIsSeenByAnotherOnTheSameFile() throws Exception {
        Path file = dir.resolve("crew-steps.journal");
        StepJournal a = new StepJournal(file, "node-a");
        StepJournal b = new StepJournal(file, "node-b");

        a.runOnce("t1/1/restart", this::count);
        StepJournal.StepResult again = b.runOnce("t1/1/restart", this::count);
        b.runOnce("t2/1/restart", this::count);
        StepJournal.StepResult backOnA = a.runOnce("t2/1/restart", this::count);

        assertThat(runs).hasValue(2);
        assertThat(again.replayed()).isTrue();
        assertThat(backOnA.replayed()).isTrue();
        assertThat(new StepJournal(file, "node-c").latest("t2/1/restart")).get()
                .satisfies(line -> assertThat(line.path("event").asText()).isEqualTo("DONE"));
    }

    @Test
    void aLineTornByACrashHidesNothingWrittenAfterIt() throws Exception {
        Path file = dir.resolve("crew-steps.journal");
        new StepJournal(file, "node-a").runOnce("t1/1/a", this::count);
        Files.writeString(file, "{\"event\":\"DONE\",\"key\":\"t9/1/x\",\"ok\":tr", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        StepJournal next = new StepJournal(file, "node-b");
        next.runOnce("t1/2/b", this::count);

        assertThat(new StepJournal(file, "node-c").latest("t1/2/b")).isPresent();
        assertThat(new StepJournal(file, "node-c").latest("t9/1/x")).isEmpty();
        assertThat(next.runOnce("t1/1/a", this::count).replayed()).isTrue();
        assertThat(runs).hasValue(2);
    }

    @Test
    void aLaterAttemptReplaysAStepAnEarlierOneFinishedAndRedoesOneItLeftUnfinished() throws Exception {
        StepJournal journal = new StepJournal(dir.resolve("crew-steps.journal"), "node-a");
        journal.runOnce("t1/1/restart", this::count);
        assertThatThrownBy(() -> journal.runOnce("t2/1/restart", () -> {
            throw new InterruptedException("worker stopped mid-effect");
        })).isInstanceOf(InterruptedException.class);

        StepJournal.StepResult finished = journal.runOnce("t1/2/restart", List.of("t1/1/restart"), this::count);
        StepJournal.StepResult unfinished = journal.runOnce("t2/2/restart", List.of("t2/1/restart"), this::count);

        assertThat(finished.replayed()).as("attempt 1 finished it; its report was lost").isTrue();
        assertThat(unfinished.replayed()).as("attempt 1 died in the middle: the retry runs it").isFalse();
        assertThat(runs).hasValue(2);
        assertThatThrownBy(() -> journal.runOnce("t2/1/restart", this::count))
                .isInstanceOf(StepJournal.UnconfirmedStepException.class);
    }
}
