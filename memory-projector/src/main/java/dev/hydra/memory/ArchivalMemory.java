package dev.hydra.memory;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Letta-style archival memory: passages (findings, task results, entries moved out of core memory)
 * embedded once and found again by meaning. Adding a passage with an id that is already stored
 * replaces it, so a redelivered result is stored once.
 */
public interface ArchivalMemory extends AutoCloseable {

    /** A stored text and where it came from. */
    record Passage(String id, String text, String taskId, String crew, String kind, Instant at) {
        public Passage {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(text, "text");
            taskId = taskId == null ? "" : taskId;
            crew = crew == null ? "" : crew;
            kind = kind == null ? "" : kind;
            at = at == null ? Instant.now() : at;
        }
    }

    /** A passage and its cosine similarity to the query (1 is identical). */
    record Hit(Passage passage, double score) {
    }

    void add(Passage passage);

    /** The {@code k} passages nearest to {@code query}, best first. */
    List<Hit> search(String query, int k);

    /** How many passages are stored. */
    long size();

    @Override
    void close();
}
