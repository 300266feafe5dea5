package dev.hydra.topics.events;

import java.time.Instant;

/** A person's decision on an approval request; keyed by the request id. A reason is at most a paragraph or two. */
public record ApprovalDecision(String requestId, String contentSha256, boolean approve, String by, String reason,
                               Instant at) {
    public static final int MAX_REASON = 10_000;

    public ApprovalDecision {
        Fields.bounded(Fields.text(requestId, "requestId"), Fields.MAX_NAME, "requestId");
        Fields.bounded(Fields.text(contentSha256, "contentSha256"), Fields.MAX_NAME, "contentSha256");
        Fields.bounded(Fields.text(by, "by"), Fields.MAX_NAME, "by");
        reason = Fields.bounded(reason == null ? "" : reason, MAX_REASON, "reason");
        at = at == null ? Instant.now() : at;
    }
}
