package dev.hydra.constitution;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.constitution.rules.Ruling;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a candidate constitution would change: replays the tasks and tool calls Kafka still holds
 * through the current and the candidate constitution and lists every item whose verdict differs.
 * Read-only: no consumer group, no commits, nothing written. Used by
 * {@code hydra constitution diff --candidate NEW.yaml [--since TIME]}.
 */
public final class ConstitutionDiff {
    private static final Logger LOG = LoggerFactory.getLogger(ConstitutionDiff.class);

    /**
     * One item whose verdict would change.
     *
     * @param source where it was read, {@code topic-partition@offset}
     * @param constraint the constraint behind the stricter of the two verdicts
     * @param reason that constraint's reason
     */
    public record Change(SubjectKind kind, String id, Decision oldVerdict, Decision newVerdict, String constraint,
                         String reason, String source) {
    }

    /** What a replay read and what would change. */
    public record Result(long itemsRead, long malformedSkipped, List<Change> changes) {
    }

    private final Constitution current;
    private final Constitution candidate;

    public ConstitutionDiff(Constitution current, Constitution candidate) {
        this.current = Objects.requireNonNull(current, "current");
        this.candidate = Objects.requireNonNull(candidate, "candidate");
    }

    /** The change for one task, if its verdict differs. */
    public Optional<Change> compare(Task task, String source) {
        return compare(Gate.TASKS, task, source);
    }

    /** The change for one tool call, if its verdict differs. */
    public Optional<Change> compare(ToolCall call, String source) {
        return compare(Gate.TOOL_CALLS, call, source);
    }

    private <T> Optional<Change> compare(Gate<T> gate, T item, String source) {
        Ruling before = gate.check(current, item);
        Ruling after = gate.check(candidate, item);
        if (before.decision() == after.decision()) {
            return Optional.empty();
        }
        Ruling stricter = before.strictest(after);
        return Optional.of(new Change(gate.kind(), gate.id(item), before.decision(), after.decision(),
                stricter.constraint(), stricter.reason(), source));
    }

    /**
     * Replays hydra.tasks.proposed and hydra.toolcalls.requested from {@code since} (empty: all that
     * is retained) up to their end offsets at the start of the call.
     */
    public Result replay(Properties clientProps, Optional<Instant> since, Duration timeout) {
        Tally tally = new Tally();
        replay(Gate.TASKS, clientProps, since, timeout, tally);
        replay(Gate.TOOL_CALLS, clientProps, since, timeout, tally);
        return new Result(tally.read, tally.malformed, List.copyOf(tally.changes));
    }

    private <T> void replay(Gate<T> gate, Properties clientProps, Optional<Instant> since, Duration timeout,
                            Tally tally) {
        TopicReader.read(clientProps, gate.source().name(), since, timeout, record -> {
            String source = record.topic() + "-" + record.partition() + "@" + record.offset();
            T item;
            try {
                item = gate.source().valueSerde().deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                // Malformed input never had a verdict (it went to the DLQ), so it cannot change one.
                tally.malformed++;
                return true;
            }
            if (item == null) {
                tally.malformed++;
                return true;
            }
            tally.read++;
            compare(gate, item, source).ifPresent(tally.changes::add);
            return true;
        });
        LOG.info("replayed {} through both constitutions", gate.source().name());
    }

    private static final class Tally {
        long read;
        long malformed;
        final List<Change> changes = new ArrayList<>();
    }
}
