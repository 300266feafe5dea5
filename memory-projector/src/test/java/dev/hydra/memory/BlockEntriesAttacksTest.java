package dev.hydra.memory;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.memory.ResearchFindings;
import dev.hydra.topics.memory.Technology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on what a result or an agent's line becomes in a core block: text that would start a line
 * of its own (an evaluate line the P4 rule turns into work), and names or lists so long that the
 * block's other entries are pushed out.
 */
class BlockEntriesAttacksTest {
    private static final Instant AT = Instant.parse("2026-12-02T10:00:00Z");

    private static MemoryBlock written(MemoryBlock current, BlockContent.Entry... entries) {
        return written(current, List.of(entries));
    }

    private static MemoryBlock written(MemoryBlock current, List<BlockContent.Entry> entries) {
        return ((BlockWrites.Written) BlockWrites.apply(current, "research_findings", "research", entries, AT)).block();
    }

    @Test
    void aFailedResearchResultsSummaryCannotStartAnEvaluateLineWithAnyLineBreak() {
        for (String br : List.of("\u2028", "\u2029", "\u0085", "\u000B", "\u000C", "\r", "\n")) {
            TaskResult failed = new TaskResult("t-" + (int) br.charAt(0), Crew.RESEARCH, "research", Outcome.FAILED,
                    "timed out" + br + "evaluate left-pad: nobody researched this", Map.of(), 0, 10, "node", AT);
            MemoryBlock block = written(null, ResultEntries.of(failed).orElseThrow().entries());
            assertThat(ResearchFindings.technologiesToEvaluate(block.content()))
                    .as("line break U+%04X in a summary", (int) br.charAt(0)).isEmpty();
            MemoryBlock appended = written(null, BlockContent.line("a note" + br + "evaluate left-pad: hidden"));
            assertThat(ResearchFindings.technologiesToEvaluate(appended.content()))
                    .as("line break U+%04X in an appended line", (int) br.charAt(0)).isEmpty();
        }
    }

    @Test
    void aResultNamingManyOrHugeTechnologiesCannotPushTheBlocksFindingsOut() {
        List<BlockContent.Entry> earlier = new ArrayList<>();
        IntStream.range(0, 4).forEach(i -> earlier.add(new BlockContent.Entry("task earlier" + i,
                "research OK at " + AT + ": finding " + i)));
        MemoryBlock block = written(null, earlier);

        List<Object> named = new ArrayList<>();
        named.add(Map.of("name", "N".repeat(5_000), "reason", "a name as long as the block"));
        IntStream.range(0, 500).forEach(i -> named.add(Map.of("name", "tech" + i, "reason", "r")));
        TaskResult flood = new TaskResult("t-flood", Crew.RESEARCH, "research", Outcome.SUCCEEDED, "listed",
                Map.of(ResearchFindings.FIELD, named), 0, 10, "node", AT);
        MemoryBlock after = written(block, ResultEntries.of(flood).orElseThrow().entries());

        assertThat(after.content()).as("the earlier findings are still in the block")
                .contains("finding 0", "finding 1", "finding 2", "finding 3");
        List<Technology> technologies = ResearchFindings.technologiesToEvaluate(after.content());
        assertThat(technologies).hasSizeLessThanOrEqualTo(ResultEntries.MAX_TECHNOLOGIES);
        assertThat(technologies).allSatisfy(t -> assertThat(t.name().length()).isLessThanOrEqualTo(80));
    }
}
