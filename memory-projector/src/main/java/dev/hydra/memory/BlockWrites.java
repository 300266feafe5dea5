package dev.hydra.memory;

import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.memory.CoreBlock;
import java.time.Instant;
import java.util.List;

/**
 * The rules of a core-memory write, without Kafka: only the block's owner may write it, and the
 * block stays within {@link MemoryBlock#MAX_CHARS} by moving its oldest entries to archival memory.
 */
final class BlockWrites {

    sealed interface Result permits Written, Refused {
    }

    /**
     * The new version of the block and the entries that no longer fit (to archive), oldest first.
     * {@code changed} is false when the write left the content as it was (a redelivery, an unchanged
     * state): the block is then the current version, not a new one.
     */
    record Written(MemoryBlock block, List<BlockContent.Entry> evicted, boolean changed) implements Result {
    }

    record Refused(String block, String writer, String reason) implements Result {
    }

    private BlockWrites() {
    }

    /**
     * @param current the block as it is now, or null if it was never written
     */
    static Result apply(MemoryBlock current, String blockName, String writer, BlockContent.Entry entry, Instant now) {
        return apply(current, blockName, writer, List.of(entry), now);
    }

    /** Applies several entries as one write (one new version of the block). */
    static Result apply(MemoryBlock current, String blockName, String writer, List<BlockContent.Entry> entries,
                        Instant now) {
        return edit(current, blockName, writer, content -> {
            for (BlockContent.Entry entry : entries) {
                content = content.upsert(entry);
            }
            return content;
        }, now);
    }

    /** A change of the content the caller could not make (a replaced text the block does not hold). */
    static final class NotApplicable extends RuntimeException {
        NotApplicable(String message) {
            super(message);
        }
    }

    /**
     * Applies {@code edit} to the block's content as one write; an edit that throws {@link NotApplicable}
     * is refused with its message (and is not a breach of the access rules).
     */
    static Result edit(MemoryBlock current, String blockName, String writer,
                       java.util.function.UnaryOperator<BlockContent> edit, Instant now) {
        var block = CoreBlock.named(blockName);
        if (block.isEmpty()) {
            return new Refused(blockName, writer, "no core memory block " + blockName + "; blocks: " + CoreBlock.names());
        }
        if (!block.get().writableBy(writer)) {
            return new Refused(blockName, writer, blockName + " is written only by " + block.get().owner()
                    + ", not by " + writer);
        }
        BlockContent content = edit.apply(current == null ? BlockContent.empty() : BlockContent.parse(current.content()));
        BlockContent.Fitted fitted = content.fit(MemoryBlock.MAX_CHARS);
        if (current != null && fitted.content().render().equals(current.content())) {
            return new Written(current, List.of(), false);
        }
        long version = current == null ? 1 : current.version() + 1;
        return new Written(new MemoryBlock(blockName, fitted.content().render(), writer, version, now),
                fitted.evicted(), true);
    }
}
