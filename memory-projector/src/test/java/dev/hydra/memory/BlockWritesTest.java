package dev.hydra.memory;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.memory.CoreBlock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/** The core-memory rules, without Kafka: access per block and the 2,000 character limit. */
class BlockWritesTest {
    private static final Instant NOW = Instant.parse("2026-11-24T05:00:00Z");

    private static BlockWrites.Written written(BlockWrites.Result result) {
        assertThat(result).isInstanceOf(BlockWrites.Written.class);
        return (BlockWrites.Written) result;
    }

    @Test
    void eachCrewWritesOnlyItsOwnBlockAndTheOrchestratorWritesHydraState() {
        assertThat(CoreBlock.INFRASTRUCTURE_HEALTH.writableBy("infrastructure")).isTrue();
        assertThat(CoreBlock.INFRASTRUCTURE_HEALTH.writableBy("research")).isFalse();
        assertThat(CoreBlock.INFRASTRUCTURE_HEALTH.writableBy(CoreBlock.ORCHESTRATOR)).isFalse();
        assertThat(CoreBlock.RESEARCH_FINDINGS.writableBy("research")).isTrue();
        assertThat(CoreBlock.DEVELOPMENT_STATUS.writableBy("development")).isTrue();
        assertThat(CoreBlock.HYDRA_STATE.writableBy(CoreBlock.ORCHESTRATOR)).isTrue();
        assertThat(CoreBlock.HYDRA_STATE.writableBy("development")).isFalse();
        assertThat(CoreBlock.ownedBy(Crew.SELF_IMPROVEMENT)).isEmpty();
    }

    @Test
    void everyAgentReadsHydraStateButACrewBlockOnlyItsCrewAndTheOrchestrator() {
        for (Crew crew : Crew.values()) {
            assertThat(CoreBlock.HYDRA_STATE.readableBy(crew.wireName())).isTrue();
        }
        assertThat(CoreBlock.RESEARCH_FINDINGS.readableBy("development")).isFalse();
        assertThat(CoreBlock.RESEARCH_FINDINGS.readableBy(CoreBlock.ORCHESTRATOR)).isTrue();
    }

    @Test
    void refusesAWriteByAnotherCrewAndNamesTheOwner() {
        BlockWrites.Result result = BlockWrites.apply(null, "research_findings", "infrastructure",
                new BlockContent.Entry("x", "y"), NOW);
        assertThat(result).isInstanceOf(BlockWrites.Refused.class);
        assertThat(((BlockWrites.Refused) result).reason())
                .isEqualTo("research_findings is written only by research, not by infrastructure");
    }

    @Test
    void refusesAnUnknownBlock() {
        BlockWrites.Result result = BlockWrites.apply(null, "secrets", "orchestrator",
                new BlockContent.Entry("x", "y"), NOW);
        assertThat(((BlockWrites.Refused) result).reason()).startsWith("no core memory block secrets");
    }

    @Test
    void keepsTheLatestStatePerServiceAndBumpsTheVersion() {
        MemoryBlock first = written(BlockWrites.apply(null, "infrastructure_health", "infrastructure",
                new BlockContent.Entry("letta", "restart_service FAILED"), NOW)).block();
        MemoryBlock second = written(BlockWrites.apply(first, "infrastructure_health", "infrastructure",
                new BlockContent.Entry("qdrant", "healthy"), NOW)).block();
        MemoryBlock third = written(BlockWrites.apply(second, "infrastructure_health", "infrastructure",
                new BlockContent.Entry("letta", "restart_service OK"), NOW)).block();
        assertThat(third.content()).isEqualTo("qdrant: healthy\nletta: restart_service OK");
        assertThat(third.version()).isEqualTo(3);
        assertThat(third.writer()).isEqualTo("infrastructure");
    }

    @Test
    void aWriteThatChangesNothingIsNotANewVersion() {
        MemoryBlock first = written(BlockWrites.apply(null, "infrastructure_health", "infrastructure",
                new BlockContent.Entry("letta", "restart_service OK"), NOW)).block();
        BlockWrites.Written again = written(BlockWrites.apply(first, "infrastructure_health", "infrastructure",
                new BlockContent.Entry("letta", "restart_service OK"), NOW.plusSeconds(60)));
        assertThat(again.changed()).isFalse();
        assertThat(again.block()).isSameAs(first);
    }

    @Test
    void anAssessmentBecomesTheHydraStateBlockWithoutItsTime() {
        dev.hydra.topics.events.StateSnapshot snapshot = new dev.hydra.topics.events.StateSnapshot("s1", NOW,
                List.of(new dev.hydra.topics.events.ServiceHealth("letta", false, "HTTP 502", 12),
                        new dev.hydra.topics.events.ServiceHealth("qdrant", true, "", 3)),
                Map.of(), List.of("dark mode"), List.of(), "2 services, failed: [letta]");
        MemoryBlock block = written(BlockWrites.apply(null, "hydra_state", CoreBlock.ORCHESTRATOR,
                StateEntries.of(snapshot), NOW)).block();
        assertThat(block.content()).isEqualTo("""
                state: 2 services, failed: [letta]
                failed services: letta
                backlog: 1 incomplete features, 0 knowledge gaps""");
        assertThat(block.version()).isEqualTo(1);
    }

    @Test
    void neverExceedsTwoThousandCharactersAndMovesTheOldestEntriesOutWithANote() {
        MemoryBlock block = null;
        List<BlockContent.Entry> evicted = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            BlockWrites.Written w = written(BlockWrites.apply(block, "research_findings", "research",
                    new BlockContent.Entry("task " + i, "finding number " + i + " " + "x".repeat(80)), NOW));
            block = w.block();
            evicted.addAll(w.evicted());
            assertThat(block.content().length()).isLessThanOrEqualTo(MemoryBlock.MAX_CHARS);
        }
        assertThat(evicted).isNotEmpty();
        assertThat(evicted.get(0).key()).isEqualTo("task 0");
        assertThat(block.content()).startsWith("[archival: " + evicted.size() + " older entries moved to archival memory");
        assertThat(block.content()).endsWith("task 39: finding number 39 " + "x".repeat(80));
        // Nothing is lost: every entry is either still in the block or was handed over for archival.
        BlockContent content = BlockContent.parse(block.content());
        assertThat(content.entries().size() + evicted.size()).isEqualTo(40);
        assertThat(content.archived()).isEqualTo(evicted.size());
    }

    @Test
    void aRenderedBlockParsesBackToTheSameEntries() {
        BlockContent content = BlockContent.empty().upsert(new BlockContent.Entry("letta", "OK: restarted"))
                .upsert(new BlockContent.Entry("qdrant", "down\nsince 05:00")).fit(60).content();
        BlockContent parsed = BlockContent.parse(content.render());
        assertThat(parsed.entries()).isEqualTo(content.entries());
        assertThat(parsed.archived()).isEqualTo(content.archived());
    }

    @Test
    void aHugeEntryIsSummarisedToFitTheBlock() {
        BlockContent.Entry entry = new BlockContent.Entry("task 1", "y".repeat(5_000));
        assertThat(entry.render().length()).isEqualTo(BlockContent.MAX_ENTRY_CHARS);
        assertThat(entry.text()).endsWith("…");
    }

    @Test
    void infrastructureResultsAreKeyedByServiceAndOtherCrewsByTask() {
        TaskResult infra = new TaskResult("3f1c8a2b-0000", Crew.INFRASTRUCTURE, "restart_service", Outcome.SUCCEEDED,
                "", Map.of("service", "letta"), 0, 0, "", NOW);
        ResultEntries.BlockUpdate update = ResultEntries.of(infra).orElseThrow();
        assertThat(update.block()).isEqualTo(CoreBlock.INFRASTRUCTURE_HEALTH);
        assertThat(update.writer()).isEqualTo("infrastructure");
        assertThat(update.entries().get(0).render()).isEqualTo("letta: restart_service OK at 2026-11-24T05:00:00Z (task 3f1c8a2b)");

        TaskResult research = new TaskResult("9a9a9a9a-1111", Crew.RESEARCH, "research", Outcome.FAILED,
                "source unreachable", Map.of(), 0, 0, "", NOW);
        assertThat(ResultEntries.of(research).orElseThrow().entries().get(0).render())
                .isEqualTo("task 9a9a9a9a: research FAILED at 2026-11-24T05:00:00Z: source unreachable");
        assertThat(ResultEntries.of(new TaskResult("t", Crew.SELF_IMPROVEMENT, "", Outcome.SUCCEEDED, "", null, 0, 0,
                "", NOW))).isEmpty();
    }
}
