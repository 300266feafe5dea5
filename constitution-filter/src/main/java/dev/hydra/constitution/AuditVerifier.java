package dev.hydra.constitution;

import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.AuditRecord;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Checks the hash chains of hydra.audit (one chain per key, the subject id) and reports the first
 * break: an altered record (its hash no longer covers its content), a removed or reordered one (the
 * next record's prevHash no longer names its predecessor), or a record under a key that is not its
 * subject. Removing the newest records of a chain leaves no trace in the chain itself; compare
 * counts with another copy (the Postgres audit_log) for that.
 *
 * <p>Used by {@code hydra audit verify}.
 */
public final class AuditVerifier {

    /** One record of the topic, as read: records of one partition must come in offset order. */
    public record Entry(int partition, long offset, String key, AuditRecord record) {
    }

    /** Where the chain broke and how. */
    public record Break(int partition, long offset, String key, String problem) {
        @Override
        public String toString() {
            return Topics.AUDIT.name() + "-" + partition + "@" + offset + " (key " + key + "): " + problem;
        }
    }

    /**
     * @param checked records checked, up to and including the break
     * @param chains distinct keys (chains) seen
     */
    public record Report(long checked, int chains, Optional<Break> firstBreak) {
        public boolean intact() {
            return firstBreak.isEmpty();
        }
    }

    private final boolean headsMayBeTrimmed;

    private AuditVerifier(boolean headsMayBeTrimmed) {
        this.headsMayBeTrimmed = headsMayBeTrimmed;
    }

    /** Every chain must start at its first record (prevHash empty): nothing was ever deleted. */
    public static AuditVerifier strict() {
        return new AuditVerifier(false);
    }

    /**
     * The oldest records may be gone by retention (365 days): the first record seen of each key is
     * trusted as the start of its chain, and everything after it is checked.
     */
    public static AuditVerifier afterRetention() {
        return new AuditVerifier(true);
    }

    public Report verify(Iterator<Entry> entries) {
        Walk walk = new Walk();
        while (entries.hasNext() && walk.accept(entries.next())) {
            // walk on until the end or the first break
        }
        return walk.report();
    }

    public Report verify(Iterable<Entry> entries) {
        return verify(entries.iterator());
    }

    /** Reads all of hydra.audit that is committed now and verifies it, stopping at the first break. */
    public Report verifyTopic(Properties clientProps, Duration timeout) {
        Walk walk = new Walk();
        TopicReader.read(clientProps, Topics.AUDIT.name(), Optional.empty(), timeout, record -> {
            AuditRecord audit;
            try {
                audit = Topics.AUDIT.valueSerde().deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                audit = null;
            }
            return walk.accept(new Entry(record.partition(), record.offset(), record.key(), audit));
        });
        return walk.report();
    }

    /** The state of one verification: the head hash of every chain seen so far. */
    private final class Walk {
        private final Map<String, String> heads = new HashMap<>();
        private long checked;
        private Break firstBreak;

        /** Checks one entry; false once the chain is broken. */
        boolean accept(Entry entry) {
            checked++;
            String problem = problem(entry);
            if (problem != null) {
                firstBreak = new Break(entry.partition(), entry.offset(), entry.key(), problem);
                return false;
            }
            heads.put(entry.key(), entry.record().hash());
            return true;
        }

        Report report() {
            return new Report(checked, heads.size(), Optional.ofNullable(firstBreak));
        }

        private String problem(Entry entry) {
            AuditRecord record = entry.record();
            if (record == null) {
                return "not a valid audit record";
            }
            if (!record.subjectId().equals(entry.key())) {
                return "record about " + record.subjectId() + " stored under key " + entry.key();
            }
            if (!record.hash().equals(AuditChain.hash(record))) {
                return "hash does not cover the record's content: the record was altered";
            }
            String previous = heads.get(entry.key());
            if (previous == null) {
                return record.prevHash().isEmpty() || headsMayBeTrimmed ? null
                        : "first record of its chain links to a record that is not there: a record was removed";
            }
            return record.prevHash().equals(previous) ? null
                    : "prevHash does not name the previous record of this key: a record was removed or reordered";
        }
    }
}
