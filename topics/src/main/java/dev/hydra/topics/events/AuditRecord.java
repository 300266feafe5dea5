package dev.hydra.topics.events;

import java.time.Instant;

/**
 * One entry of the audit trail (topic {@code hydra.audit}, 365 days, and table {@code audit_log}).
 * Records are hash-chained per key: {@code hash} covers this record's content and {@code prevHash},
 * the hash of the previous record with the same key, so a removed or altered record is detectable.
 *
 * @param action what happened, e.g. {@code verdict}, {@code approval_decision}, {@code approval_refused}
 * @param verdict the verdict, when the record is about one (null otherwise)
 */
public record AuditRecord(String id, SubjectKind subjectKind, String subjectId, String action,
                          Decision verdict, String constraint, String reason, String actor,
                          String constitutionSha256, Instant at, String prevHash, String hash) {
    public AuditRecord {
        id = Fields.orId(id);
        Fields.present(subjectKind, "subjectKind");
        Fields.text(subjectId, "subjectId");
        Fields.text(action, "action");
        constraint = constraint == null ? "" : constraint;
        reason = reason == null ? "" : reason;
        actor = Fields.or(actor, "hydra");
        constitutionSha256 = constitutionSha256 == null ? "" : constitutionSha256;
        at = at == null ? Instant.now() : at;
        prevHash = prevHash == null ? "" : prevHash;
        hash = hash == null ? "" : hash;
    }

    /** The text the chain hash covers: every field except {@code hash} itself, in a fixed order. */
    public String chainContent() {
        return String.join("\u001f", id, subjectKind.name(), subjectId, action,
                verdict == null ? "" : verdict.name(), constraint, reason, actor, constitutionSha256,
                at.toString(), prevHash);
    }

    public AuditRecord chained(String previous, String newHash) {
        return new AuditRecord(id, subjectKind, subjectId, action, verdict, constraint, reason, actor,
                constitutionSha256, at, previous, newHash);
    }
}
