package dev.hydra.topics.events;

import java.time.Instant;

/** A shared core-memory block (Letta style), keyed by its name on the compacted topic. */
public record MemoryBlock(String name, String content, String writer, long version, Instant updatedAt) {
    /** Letta's core-memory limit per block. */
    public static final int MAX_CHARS = 2_000;

    public MemoryBlock {
        Fields.text(name, "name");
        content = content == null ? "" : content;
        if (content.length() > MAX_CHARS) {
            throw new IllegalArgumentException("content of block " + name + " must be at most " + MAX_CHARS
                    + " characters, was " + content.length());
        }
        writer = Fields.or(writer, "hydra");
        updatedAt = updatedAt == null ? Instant.now() : updatedAt;
    }
}
