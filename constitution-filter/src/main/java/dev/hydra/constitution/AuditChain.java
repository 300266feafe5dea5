package dev.hydra.constitution;

import dev.hydra.topics.ContentHash;
import dev.hydra.topics.events.AuditRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Links audit records into one hash chain per key (the subject id): each record carries the hash of
 * the previous record with its key, so removing or altering one breaks the chain at that point. The
 * chain heads live in a state store of the processor that writes the records, so a head and the
 * record that advanced it commit in the same transaction.
 */
final class AuditChain {
    private final KeyValueStore<String, String> heads;

    AuditChain(KeyValueStore<String, String> heads) {
        this.heads = heads;
    }

    /** {@code draft} linked to the previous record of its subject; the new head is stored. */
    AuditRecord append(AuditRecord draft) {
        String previous = heads.get(draft.subjectId());
        AuditRecord linked = draft.chained(previous == null ? "" : previous, "");
        String hash = hash(linked);
        heads.put(draft.subjectId(), hash);
        return linked.chained(linked.prevHash(), hash);
    }

    /** SHA-256(prevHash + chainContent()), the hash a record must carry. */
    static String hash(AuditRecord record) {
        return ContentHash.sha256Hex(record.prevHash() + record.chainContent());
    }
}
