package dev.hydra.crew.agent;

import dev.hydra.topics.Redactor;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.MemoryBlock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crews' core-memory blocks as a worker sees them: the compacted {@code hydra.memory.blocks}
 * tailed from its beginning (read-only; the memory projector is its one writer), so every model call
 * of an agent carries the blocks as they are now, including what an agent of the crew just wrote.
 *
 * <p>Every block is redacted as it arrives: the constitution judges what agents remember, but a block
 * is also written from task results and by people at the console, and whatever a block holds leaves
 * with every model call of every agent that reads it.
 */
public final class CoreMemoryView implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoreMemoryView.class);

    private final Map<String, MemoryBlock> blocks = new ConcurrentHashMap<>();
    private final Redactor redactor;
    private volatile TopicReader tail;

    private CoreMemoryView(Redactor redactor) {
        this.redactor = redactor;
    }

    /** A fixed view of these blocks, for crews run without Kafka (tests of the agents alone). */
    public static CoreMemoryView of(java.util.Collection<MemoryBlock> blocks) {
        return of(blocks, text -> text);
    }

    /** A fixed view of these blocks, redacted by {@code redactor}. */
    public static CoreMemoryView of(java.util.Collection<MemoryBlock> blocks, Redactor redactor) {
        CoreMemoryView view = new CoreMemoryView(redactor);
        blocks.forEach(block -> view.blocks.put(block.name(), view.redacted(block)));
        return view;
    }

    /** {@code text} redacted as blocks are: what the memory tools answer is read by agents the same way. */
    public String redact(String text) {
        return redactor.redact(text);
    }

    private MemoryBlock redacted(MemoryBlock block) {
        String content = redactor.redact(block.content());
        if (content.length() > MemoryBlock.MAX_CHARS) {
            content = content.substring(0, MemoryBlock.MAX_CHARS - 1) + "…"; // a marker longer than what it hid
        }
        return content.equals(block.content()) ? block
                : new MemoryBlock(block.name(), content, block.writer(), block.version(), block.updatedAt());
    }

    /**
     * Starts tailing; waits up to {@code timeout} for the blocks written so far. A worker starts even
     * when they do not come in time (its prompts show what has arrived, and say when memory is stale).
     */
    public static CoreMemoryView start(Properties clientProps, String clientId, Duration timeout, Redactor redactor)
            throws InterruptedException {
        CoreMemoryView view = new CoreMemoryView(redactor);
        view.tail = TopicReader.open(clientProps, clientId + "-memory-blocks", List.of(Topics.MEMORY_BLOCKS.name()),
                TopicReader.Start.beginning()).follow(clientId + "-memory-blocks", view::apply);
        if (!view.tail.awaitCaughtUp(timeout)) {
            LOG.warn("{}: {} not read within {}; agents' prompts carry what has arrived", clientId,
                    Topics.MEMORY_BLOCKS.name(), timeout);
        }
        return view;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            blocks.remove(record.key());
            return;
        }
        MemoryBlock block = redacted(Topics.MEMORY_BLOCKS.valueSerde().deserialize(record.topic(), record.value()));
        blocks.merge(block.name(), block, (old, next) -> next.version() >= old.version() ? next : old);
    }

    public Optional<MemoryBlock> block(String name) {
        return Optional.ofNullable(blocks.get(name));
    }

    /** False when the tail stopped (the blocks shown may be stale); prompts say so. */
    public boolean healthy() {
        return tail == null || tail.healthy();
    }

    @Override
    public void close() {
        if (tail != null) {
            tail.close();
        }
    }
}
