package dev.hydra.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Archival memory on disk with the real in-process embedding model (all-MiniLM-L6-v2). */
class ArchivalMemoryTest {
    private static final Logger LOG = LoggerFactory.getLogger(ArchivalMemoryTest.class);

    static final List<ArchivalMemory.Passage> FINDINGS = List.of(
            passage("r1", "vLLM speculative decoding doubles tokens per second on the RTX 5090 inference node"),
            passage("r2", "letta memory service was killed by the kernel OOM killer; raised its container memory "
                    + "limit to 8 GB and restarted it"),
            passage("r3", "opened a pull request adding dark mode to the dashboard"),
            passage("r4", "nightly Qdrant snapshot backup finished and was copied to the NAS"));

    static ArchivalMemory.Passage passage(String id, String text) {
        return new ArchivalMemory.Passage(id, text, "task-" + id, "research", "result",
                Instant.parse("2026-11-24T05:00:00Z"));
    }

    /** The assertions both stores must pass: the relevant finding first, with a clearly higher score. */
    static void ranksTheRelevantFindingAboveUnrelatedOnes(ArchivalMemory store) {
        long start = System.nanoTime();
        FINDINGS.forEach(store::add);
        double perFindingMs = (System.nanoTime() - start) / 1e6 / FINDINGS.size();
        LOG.info("{}: embedding + storing took {} ms per finding", store.getClass().getSimpleName(),
                String.format("%.1f", perFindingMs));

        List<ArchivalMemory.Hit> hits = store.search("why did the letta container run out of memory?", 3);
        assertThat(hits).hasSize(3);
        assertThat(hits.get(0).passage().id()).isEqualTo("r2");
        assertThat(hits.get(0).passage().taskId()).isEqualTo("task-r2");
        assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score() + 0.1);

        assertThat(store.search("faster token generation with speculative decoding", 1).get(0).passage().id())
                .isEqualTo("r1");
    }

    @Test
    void embeddedStoreRanksTheRelevantFindingAboveUnrelatedOnes(@TempDir Path dir) {
        try (DiskArchive store = DiskArchive.open(dir)) {
            ranksTheRelevantFindingAboveUnrelatedOnes(store);
        }
    }

    @Test
    void embeddedStoreSurvivesARestartAndStoresARedeliveredPassageOnce(@TempDir Path dir) throws IOException {
        try (DiskArchive store = DiskArchive.open(dir)) {
            store.add(FINDINGS.get(1));
            store.add(FINDINGS.get(1));
            store.add(FINDINGS.get(2));
            assertThat(store.size()).isEqualTo(2);
        }
        // A crash in the middle of an append leaves a cut record behind; it is dropped on open.
        Files.write(dir.resolve("archival.bin"), new byte[] {0, 0, 1, 0, 42}, StandardOpenOption.APPEND);
        try (DiskArchive reopened = DiskArchive.open(dir)) {
            assertThat(reopened.size()).isEqualTo(2);
            assertThat(reopened.search("letta out of memory", 1).get(0).passage().text())
                    .isEqualTo(FINDINGS.get(1).text());
            reopened.add(FINDINGS.get(0));
        }
        try (DiskArchive again = DiskArchive.open(dir)) {
            assertThat(again.size()).isEqualTo(3);
        }
    }
}
