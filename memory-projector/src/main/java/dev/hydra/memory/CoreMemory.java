package dev.hydra.memory;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.memory.CoreBlock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared core-memory blocks: the current version of each block, rebuilt from the compacted
 * {@code hydra.memory.blocks} on start and kept up to date by tailing it (so blocks written by
 * anyone are served), and the one place writes are checked ({@link BlockWrites}) and published.
 */
final class CoreMemory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoreMemory.class);
    static final String REFUSED_ACTION = "memory_write_refused";
    static final String ACCESS_CONSTRAINT = "memory_block_access";

    private final Map<String, MemoryBlock> blocks = new TreeMap<>();
    private final EventProducer producer;
    private final Archivist archivist;
    private final Clock clock;
    private final Properties clientProps;
    private TopicReader tail;

    /** Where entries moved out of a block go (archival memory, or nowhere when it is disabled). */
    @FunctionalInterface
    interface Archivist {
        void archive(String block, List<BlockContent.Entry> evicted, MemoryBlock from);
    }

    CoreMemory(Properties clientProps, EventProducer producer, Archivist archivist, Clock clock) {
        this.producer = producer;
        this.archivist = archivist;
        this.clock = clock;
        this.clientProps = clientProps;
    }

    /** Starts tailing the blocks topic; returns once every block written before now is loaded. */
    void start(Duration timeout) throws InterruptedException {
        for (String name : CoreBlock.names()) {
            MemoryMetrics.BLOCK_BYTES.labels(name); // every core block on dashboards, at 0 until written
        }
        tail = TopicReader.open(clientProps, "hydra-memory-blocks-tail", List.of(Topics.MEMORY_BLOCKS.name()),
                TopicReader.Start.beginning()).follow("memory-blocks-tail", this::apply);
        if (!tail.awaitCaughtUp(timeout)) {
            throw new IllegalStateException("could not read " + Topics.MEMORY_BLOCKS.name() + " within " + timeout);
        }
        LOG.info("core memory restored: {} blocks", all().size());
        declareBlocks();
    }

    /**
     * The seed's blocks exist from the first start, empty (version 0), so reading a declared block
     * never answers 404 and an agent's prompt shows it even before anything was written.
     */
    private synchronized void declareBlocks() {
        for (CoreBlock declared : CoreBlock.values()) {
            if (!blocks.containsKey(declared.blockName())) {
                MemoryBlock empty = new MemoryBlock(declared.blockName(), "", declared.owner(), 0, clock.instant());
                blocks.put(empty.name(), empty);
                producer.send(Topics.MEMORY_BLOCKS, empty.name(), empty, null);
            }
        }
        producer.flush();
    }

    boolean healthy() {
        return tail != null && tail.healthy();
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            synchronized (this) {
                blocks.remove(record.key());
            }
            return;
        }
        MemoryBlock block = Topics.MEMORY_BLOCKS.valueSerde().deserialize(record.topic(), record.value());
        synchronized (this) {
            MemoryBlock current = blocks.get(block.name());
            if (current == null || block.version() >= current.version()) {
                blocks.put(block.name(), block);
                MemoryMetrics.BLOCK_BYTES.labels(block.name())
                        .set(block.content().getBytes(StandardCharsets.UTF_8).length);
            }
        }
    }

    /**
     * Applies a write by {@code writer}; a refused write is audited on {@code hydra.audit}. Entries
     * that no longer fit are archived before the new block replaces the old one: if archiving fails,
     * nothing changed and the caller's retry moves them again, so no entry is lost on the way.
     */
    BlockWrites.Result write(String writer, String blockName, List<BlockContent.Entry> entries, String correlationId) {
        return edit(writer, blockName, content -> {
            for (BlockContent.Entry entry : entries) {
                content = content.upsert(entry);
            }
            return content;
        }, correlationId);
    }

    /**
     * Applies an edit of the block's content by {@code writer}, under the same rules as {@link #write};
     * an edit that cannot be made throws {@link BlockWrites.NotApplicable} and changes nothing.
     */
    BlockWrites.Result edit(String writer, String blockName, UnaryOperator<BlockContent> edit, String correlationId) {
        BlockWrites.Result result;
        synchronized (this) {
            result = BlockWrites.edit(blocks.get(blockName), blockName, writer, edit, clock.instant());
            if (result instanceof BlockWrites.Written written && written.changed()) {
                MemoryBlock block = written.block();
                if (!written.evicted().isEmpty()) {
                    archivist.archive(blockName, written.evicted(), block);
                }
                blocks.put(blockName, block);
                producer.send(Topics.MEMORY_BLOCKS, blockName, block, correlationId);
                MemoryMetrics.BLOCK_WRITES.labels(blockName).inc();
                MemoryMetrics.BLOCK_BYTES.labels(blockName).set(block.content().getBytes(StandardCharsets.UTF_8).length);
            }
        }
        if (result instanceof BlockWrites.Refused refused) {
            audit(refused, correlationId);
        }
        return result;
    }

    private void audit(BlockWrites.Refused refused, String correlationId) {
        LOG.warn("refused a write of block {} by {}: {}", refused.block(), refused.writer(), refused.reason());
        MemoryMetrics.BLOCK_WRITES_REFUSED.labels(refused.block()).inc();
        AuditRecord record = new AuditRecord(null, SubjectKind.MEMORY_BLOCK, refused.block(), REFUSED_ACTION,
                Decision.DENY, ACCESS_CONSTRAINT, refused.reason(), refused.writer(), "", clock.instant(), "", "");
        // Keyed by the record's own id: each refusal is a chain of one, so its hash verifies on its own.
        producer.send(Topics.AUDIT, record.id(), record.chained("", sha256(record.chainContent())), correlationId);
    }

    synchronized Map<String, MemoryBlock> all() {
        return Map.copyOf(blocks);
    }

    synchronized Optional<MemoryBlock> get(String name) {
        return Optional.ofNullable(blocks.get(name));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (tail != null) {
            tail.close();
        }
    }
}
