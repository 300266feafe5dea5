package dev.hydra.memory;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.GroupLoop;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.RefusedCalls;
import dev.hydra.topics.signing.VerdictVerifier;
import dev.hydra.topics.tools.ToolVocabulary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the memory tools agents call (server {@code memory} on {@code hydra.toolcalls.approved},
 * consumer group {@code hydra-memory-tools}) and answers on {@code hydra.toolcalls.results}, the way
 * the tool executor answers for the other servers. A call runs only when the constitution's signature
 * verifies, and it acts as the crew the signed call names: that identity, not anything in the
 * arguments, is what the blocks' write rules judge, and a refused write is audited.
 *
 * <p>A signed call runs at most once. Its answer on {@code hydra.toolcalls.results} is the record that
 * it ran: a call whose id was answered (a redelivery, or the signed record put back on the topic) is
 * not run again, because a replace applied twice, or an append re-applied after its line was
 * corrected, would change a block every later prompt carries. The answers of the last
 * {@link #MAX_AGE} are read at start; a call created before that (or more than {@link #MAX_SKEW} in
 * the future) is refused as stale, so the set of answered ids stays bounded by one window.
 */
final class MemoryTools implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryTools.class);
    static final String GROUP = "hydra-memory-tools";
    static final String SOURCE = "memory-projector/tools";
    /** What one answer may hold: a search is a handful of passages, not a dump of memory. */
    static final int MAX_OUTPUT_CHARS = 4_000;
    private static final int SEARCH_K = 5;
    /** A call older than this is never live work (its agent gave up long before) and is refused. */
    static final Duration MAX_AGE = Duration.ofHours(1);
    /** How far a call's creation time may be ahead of this clock. */
    static final Duration MAX_SKEW = Duration.ofMinutes(5);
    /** The longest text an agent may store or search with (a passage, a query). */
    static final int MAX_TEXT_CHARS = 4_000;
    /**
     * Passages one crew may store in an hour. Each is embedded and kept for good, and the calls come
     * without a person (agent_memory is autonomous), so an agent looping on inserts, or a producer
     * with a crew's credentials, would otherwise grow archival memory without end.
     */
    static final int MAX_PASSAGES_PER_HOUR = 600;

    private final CoreMemory core;
    private final Optional<ArchivalMemory> archival;
    private final EventProducer producer;
    private final VerdictVerifier verifier;
    private final Clock clock;
    private GroupLoop loop;
    private TopicReader answers;
    /** Ids of the calls answered within {@link #MAX_AGE}, with when they were answered. */
    private final Map<String, Instant> answered = new ConcurrentHashMap<>();
    private final Budget passages = new Budget(MAX_PASSAGES_PER_HOUR, Duration.ofHours(1));

    MemoryTools(CoreMemory core, Optional<ArchivalMemory> archival, EventProducer producer, VerdictVerifier verifier,
                Clock clock) {
        this.core = core;
        this.archival = archival;
        this.producer = producer;
        this.verifier = verifier;
        this.clock = clock;
    }

    void start(Properties clientProps) throws InterruptedException {
        answers = TopicReader.open(clientProps, "hydra-memory-tools-answers", List.of(Topics.TOOLCALLS_RESULTS.name()),
                TopicReader.Start.since(clock.instant().minus(MAX_AGE).minus(MAX_SKEW)))
                .follow("memory-tools-answers", this::answeredElsewhere);
        if (!answers.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("could not read " + Topics.TOOLCALLS_RESULTS.name()
                    + " (the answers already given) within 60s; memory tool calls are not run without them");
        }
        loop = GroupLoop.group(GROUP).topics(Topics.TOOLCALLS_APPROVED).named("memory-tools")
                .deadLetters(producer, SOURCE).afterBatch(producer::flush).start(clientProps, this::handle);
    }

    boolean healthy() {
        return loop != null && loop.healthy() && answers.healthy();
    }

    private void answeredElsewhere(ConsumerRecord<String, byte[]> record) {
        if (record.key() != null) {
            answered.putIfAbsent(record.key(), Instant.ofEpochMilli(record.timestamp()));
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        ToolCall call = Topics.TOOLCALLS_APPROVED.valueSerde().deserialize(record.topic(), record.value());
        if (call == null) {
            throw new IllegalArgumentException("empty value (tombstone) on " + record.topic());
        }
        if (!ToolVocabulary.MEMORY.equals(call.server())) {
            return; // the tool executor's
        }
        Optional<String> refusal = verifier.refusal(record.headers(), call);
        if (refusal.isPresent()) {
            refuse(record, call, refusal.get());
            return;
        }
        if (answered.containsKey(call.id())) {
            LOG.warn("{}-{}@{}: memory tool call {} {} was answered already; not run again", record.topic(),
                    record.partition(), record.offset(), call.id(), call.qualifiedTool());
            return;
        }
        Instant now = clock.instant();
        if (call.createdAt().isBefore(now.minus(MAX_AGE)) || call.createdAt().isAfter(now.plus(MAX_SKEW))) {
            String stale = "stale: the call was created at " + call.createdAt() + ", and a memory tool call runs "
                    + "only within " + MAX_AGE.toMinutes() + " minutes of its creation (a signed call put back "
                    + "on the topic is not run again)";
            refuse(record, call, stale);
            return;
        }
        if (Replay.isDryRun(call.replay())) {
            send(RefusedCalls.dryRun(call, clock.instant()));
            return;
        }
        try {
            answer(call, ToolStatus.OK, cap(run(call)));
        } catch (ToolError error) {
            answer(call, ToolStatus.ERROR, error.getMessage());
        }
    }

    /** What a tool answers the agent; a {@link ToolError} is its refusal, in words the agent can act on. */
    String run(ToolCall call) throws ToolError {
        String crew = call.crew().wireName();
        return switch (call.tool()) {
            case "core_memory_append" -> {
                String text = required(call, "text");
                yield written(crew, required(call, "block"), current -> current.upsert(BlockContent.line(text)), call);
            }
            case "core_memory_replace" -> {
                String old = required(call, "old_text");
                String text = optional(call, "new_text");
                String block = required(call, "block");
                yield written(crew, block, current -> current.replace(old, text).orElseThrow(
                        () -> new BlockWrites.NotApplicable(block + " has no line holding '" + shorten(old)
                                + "'; read the block in your prompt and quote its text exactly")), call);
            }
            case "archival_memory_insert" -> {
                String text = bounded(call, "text");
                ArchivalMemory store = archival();
                if (!passages.take(crew, clock.instant())) {
                    throw new ToolError("archival memory takes at most " + MAX_PASSAGES_PER_HOUR + " passages an hour "
                            + "from one crew, and " + crew + " stored that many; keep what matters in fewer passages");
                }
                store.add(new ArchivalMemory.Passage("agent:" + call.id(), text, call.taskId(), crew, "agent",
                        clock.instant()));
                MemoryMetrics.ARCHIVED.labels("agent").inc();
                yield "stored in archival memory (" + store.size() + " passages)";
            }
            case "archival_memory_search" -> hits(archival().search(bounded(call, "query"), SEARCH_K), "");
            case "recall_search" -> hits(archival().search(bounded(call, "query"), SEARCH_K * 4).stream()
                    .filter(hit -> hit.passage().kind().equals("result")).limit(SEARCH_K).toList(), "result");
            default -> throw new ToolError("memory has no tool '" + call.tool() + "'; its tools: core_memory_append, "
                    + "core_memory_replace, archival_memory_insert, archival_memory_search, recall_search");
        };
    }

    private String written(String crew, String block, java.util.function.UnaryOperator<BlockContent> edit, ToolCall call)
            throws ToolError {
        BlockWrites.Result result;
        try {
            result = core.edit(crew, block, edit, call.taskId());
        } catch (BlockWrites.NotApplicable e) {
            throw new ToolError(e.getMessage());
        }
        if (result instanceof BlockWrites.Refused refused) {
            throw new ToolError("refused (and audited): " + refused.reason());
        }
        BlockWrites.Written written = (BlockWrites.Written) result;
        return (written.changed() ? "written: " : "already there: ") + block + " is now version "
                + written.block().version() + " (" + written.block().content().length() + " of "
                + dev.hydra.topics.events.MemoryBlock.MAX_CHARS + " characters"
                + (written.evicted().isEmpty() ? "" : ", " + written.evicted().size() + " oldest line(s) moved to archival memory")
                + ")";
    }

    private ArchivalMemory archival() throws ToolError {
        return archival.orElseThrow(() -> new ToolError(
                "archival memory is disabled on this Hydra (memory.archival / HYDRA_MEMORY_ARCHIVAL)"));
    }

    private static String hits(List<ArchivalMemory.Hit> hits, String kind) {
        if (hits.isEmpty()) {
            return kind.equals("result") ? "no earlier task found" : "nothing found in archival memory";
        }
        StringBuilder out = new StringBuilder();
        for (ArchivalMemory.Hit hit : hits) {
            ArchivalMemory.Passage p = hit.passage();
            out.append(String.format(java.util.Locale.ROOT, "- [%.2f] %s", hit.score(), p.text()));
            if (!p.taskId().isEmpty()) {
                out.append(" (task ").append(p.taskId()).append(", ").append(p.crew()).append(", ").append(p.at())
                        .append(')');
            }
            out.append('\n');
        }
        return out.toString().strip();
    }

    private static String required(ToolCall call, String argument) throws ToolError {
        String value = optional(call, argument);
        if (value.isBlank()) {
            throw new ToolError(call.qualifiedTool() + " needs the argument '" + argument + "' (a non-empty text)");
        }
        return value;
    }

    /** A required text of at most {@link #MAX_TEXT_CHARS}: each passage is embedded and kept for good. */
    private static String bounded(ToolCall call, String argument) throws ToolError {
        String value = required(call, argument);
        if (value.length() > MAX_TEXT_CHARS) {
            throw new ToolError(call.qualifiedTool() + " argument '" + argument + "' must be at most " + MAX_TEXT_CHARS
                    + " characters, was " + value.length() + "; store a summary, or several passages");
        }
        return value;
    }

    private static String optional(ToolCall call, String argument) throws ToolError {
        Object value = call.arguments().get(argument);
        if (value == null) {
            return "";
        }
        if (!(value instanceof String text)) {
            throw new ToolError(call.qualifiedTool() + " argument '" + argument + "' must be a text, was "
                    + value.getClass().getSimpleName());
        }
        return text;
    }

    private static String cap(String output) {
        return output.length() <= MAX_OUTPUT_CHARS ? output : output.substring(0, MAX_OUTPUT_CHARS) + "…";
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    private void answer(ToolCall call, ToolStatus status, String output) throws InterruptedException {
        LOG.info("memory tool call {} {} by {} for task {}: {}", call.id(), call.qualifiedTool(), call.crew().wireName(),
                call.taskId(), status);
        send(new ToolResult(call.id(), call.taskId(), status, output, clock.instant()));
    }

    /** Not run: dead-lettered with the reason and answered REFUSED, as the tool executor does. */
    private void refuse(ConsumerRecord<byte[], byte[]> record, ToolCall call, String reason) throws InterruptedException {
        LOG.warn("{}-{}@{}: memory tool call {} {} refused, not run: {}", record.topic(), record.partition(),
                record.offset(), call.id(), call.qualifiedTool(), reason);
        RefusedCalls.refuse(producer, record, call, reason, SOURCE);
        answered(call.id());
    }

    private void send(ToolResult result) throws InterruptedException {
        RefusedCalls.acknowledged(producer.send(Topics.TOOLCALLS_RESULTS, result.toolCallId(), result, result.taskId()));
        answered(result.toolCallId());
    }

    private void answered(String callId) {
        Instant now = clock.instant();
        answered.put(callId, now);
        answered.values().removeIf(at -> at.isBefore(now.minus(MAX_AGE).minus(MAX_SKEW)));
    }

    /** At most {@code limit} uses per name within any {@code window}, without Kafka. */
    static final class Budget {
        private final int limit;
        private final Duration window;
        private final Map<String, java.util.ArrayDeque<Instant>> used = new java.util.HashMap<>();

        Budget(int limit, Duration window) {
            this.limit = limit;
            this.window = window;
        }

        /** Takes one use for {@code name} at {@code now}; false (and nothing taken) when none is left. */
        synchronized boolean take(String name, Instant now) {
            java.util.ArrayDeque<Instant> uses = used.computeIfAbsent(name, n -> new java.util.ArrayDeque<>());
            while (!uses.isEmpty() && !uses.peekFirst().isAfter(now.minus(window))) {
                uses.removeFirst();
            }
            if (uses.size() >= limit) {
                return false;
            }
            uses.addLast(now);
            return true;
        }
    }

    /** A tool's refusal or failure, told to the agent as an ERROR result. */
    static final class ToolError extends Exception {
        ToolError(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
        if (answers != null) {
            answers.close();
        }
    }
}
