package dev.hydra.topics.events;

import java.time.Instant;
import java.util.Map;

/**
 * A parked task or tool call waiting for a person (compacted topic, keyed by request id, the latest
 * status wins). An approval binds to {@code contentSha256}, the hash of the exact parked item.
 */
public record ApprovalRequest(String id, SubjectKind subjectKind, String subjectId, Map<String, Object> subject,
                              String contentSha256, String constraint, String reason, ApprovalStatus status,
                              Instant requestedAt, Instant expiresAt, String decidedBy, String decisionReason) {
    public ApprovalRequest {
        Fields.text(id, "id");
        Fields.present(subjectKind, "subjectKind");
        Fields.text(subjectId, "subjectId");
        subject = Fields.map(subject);
        Fields.text(contentSha256, "contentSha256");
        constraint = constraint == null ? "" : constraint;
        reason = reason == null ? "" : reason;
        Fields.present(status, "status");
        requestedAt = requestedAt == null ? Instant.now() : requestedAt;
        Fields.present(expiresAt, "expiresAt");
        decidedBy = decidedBy == null ? "" : decidedBy;
        decisionReason = decisionReason == null ? "" : decisionReason;
    }

    public ApprovalRequest decided(ApprovalStatus newStatus, String by, String why) {
        return new ApprovalRequest(id, subjectKind, subjectId, subject, contentSha256, constraint, reason, newStatus,
                requestedAt, expiresAt, by, why);
    }
}
