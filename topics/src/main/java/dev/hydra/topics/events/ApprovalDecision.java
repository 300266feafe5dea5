package dev.hydra.topics.events;

import java.time.Instant;

/** A person's decision on an approval request; keyed by the request id. */
public record ApprovalDecision(String requestId, String contentSha256, boolean approve, String by, String reason,
                               Instant at) {
    public ApprovalDecision {
        Fields.text(requestId, "requestId");
        Fields.text(contentSha256, "contentSha256");
        Fields.text(by, "by");
        reason = reason == null ? "" : reason;
        at = at == null ? Instant.now() : at;
    }
}
