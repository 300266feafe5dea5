package dev.hydra.constitution.approval;

import dev.hydra.topics.events.ApprovalDecision;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import java.util.Locale;
import java.util.Set;

/**
 * The life of an approval request, without Kafka: a request is PENDING until an approver approves or
 * rejects it, or until it expires; those three are final. A decision moves it only when it names a
 * known request, comes from an approver, finds the request still pending and not yet expired, and
 * binds to the hash of exactly the parked item; otherwise the decision is refused with the reason.
 * The streaming side ({@code ApprovalProcessor}) keeps the requests in stores and only wires this in.
 */
public final class ApprovalStateMachine {

    /** What can happen to a pending request, and the state each leads to. */
    public enum Transition {
        APPROVE(ApprovalStatus.APPROVED), REJECT(ApprovalStatus.REJECTED), EXPIRE(ApprovalStatus.EXPIRED);

        private final ApprovalStatus to;

        Transition(ApprovalStatus to) {
            this.to = to;
        }

        /** The state after this transition from {@code from}; only a pending request moves. */
        public ApprovalStatus from(ApprovalStatus from) {
            if (from != ApprovalStatus.PENDING) {
                throw new IllegalStateException("a request " + from + " is final; cannot " + name());
            }
            return to;
        }
    }

    /** The result of a decision: a transition, or a refusal (and whether the request expires first). */
    public sealed interface Step permits Move, Refused {
    }

    public record Move(Transition transition) implements Step {
    }

    /** @param expireFirst the request had expired unnoticed: it expires now, then the decision is refused */
    public record Refused(String reason, boolean expireFirst) implements Step {
    }

    private ApprovalStateMachine() {
    }

    /**
     * What {@code decision} does to {@code request} (null when no request has that id) at {@code nowMs},
     * given who may approve. The guards are checked in a fixed order, so a refusal names the first
     * thing wrong.
     */
    public static Step decide(ApprovalRequest request, ApprovalDecision decision, Set<String> approvers, long nowMs) {
        if (request == null) {
            return new Refused("no such approval request", false);
        }
        if (!approvers.contains(decision.by())) {
            return new Refused(decision.by() + " is not an approver", false);
        }
        if (request.status() != ApprovalStatus.PENDING) {
            return new Refused("already " + request.status().name().toLowerCase(Locale.ROOT)
                    + (request.decidedBy().isEmpty() ? "" : " by " + request.decidedBy()), false);
        }
        if (!request.contentSha256().equals(decision.contentSha256())) {
            return new Refused("contentSha256 does not match the parked item", false);
        }
        if (due(request, nowMs)) {
            return new Refused("the request expired at " + request.expiresAt(), true);
        }
        return new Move(decision.approve() ? Transition.APPROVE : Transition.REJECT);
    }

    /** Whether a pending request has reached its expiry at {@code nowMs}. */
    public static boolean due(ApprovalRequest request, long nowMs) {
        return request.status() == ApprovalStatus.PENDING && request.expiresAt().toEpochMilli() <= nowMs;
    }

    /** Whether a request read from the topic is a new one to hold (our own status updates are read back too). */
    public static boolean isNew(ApprovalRequest request, ApprovalRequest known) {
        return request.status() == ApprovalStatus.PENDING && known == null;
    }
}
