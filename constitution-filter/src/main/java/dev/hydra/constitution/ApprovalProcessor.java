package dev.hydra.constitution;

import dev.hydra.constitution.approval.ApprovalStateMachine;
import dev.hydra.constitution.rules.Constitution;
import dev.hydra.constitution.rules.Ruling;
import dev.hydra.topics.ContentHash;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalDecision;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.signing.VerdictSignature;
import dev.hydra.topics.signing.VerdictSigner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds parked items until a person decides: it learns of each request from the compacted
 * hydra.approvals.requests (written by the verdict processors, which run on other partitions) and
 * joins the decisions of hydra.approvals.decisions to it. Both topics have one partition, so every
 * request and every decision meet in this one processor and its stores; nothing blocks a thread.
 *
 * <p>What a decision may do is {@link ApprovalStateMachine}'s (pure, tested alone); this class keeps
 * the requests in stores, emits what a transition means (the release, signed like an ALLOW, or the
 * refusal), and audits a refused decision as {@code approval_refused}. Requests nobody decides
 * expire on a wall-clock scan.
 */
final class ApprovalProcessor implements Processor<String, ApprovalProcessor.Input, String, Emission> {
    private static final Logger LOG = LoggerFactory.getLogger(ApprovalProcessor.class);

    /** What reaches the processor: a request (new, or our own status update read back) or a decision. */
    sealed interface Input permits Requested, Decided {
    }

    record Requested(ApprovalRequest request) implements Input {
    }

    record Decided(ApprovalDecision decision) implements Input {
    }

    private final Constitution constitution;
    private final ApprovalPolicy policy;
    private final ApprovalNotifier notifier;
    private final VerdictSigner signer;
    private ProcessorContext<String, Emission> context;
    private Emitter emitter;
    private AuditChain chain;
    /** Every request ever seen, with its current status: a second decision must find the first. */
    private KeyValueStore<String, ApprovalRequest> requests;
    /** Ids of the requests still waiting, with their expiry in epoch millis: what the scan walks. */
    private KeyValueStore<String, Long> pending;
    private long waiting;

    ApprovalProcessor(Constitution constitution, ApprovalPolicy policy, ApprovalNotifier notifier,
                      VerdictSigner signer) {
        this.constitution = constitution;
        this.signer = signer;
        this.policy = policy;
        this.notifier = notifier;
    }

    @Override
    public void init(ProcessorContext<String, Emission> context) {
        this.context = context;
        this.emitter = new Emitter(context);
        this.chain = new AuditChain(context.getStateStore(ConstitutionTopology.APPROVAL_CHAIN_STORE));
        this.requests = context.getStateStore(ConstitutionTopology.APPROVAL_REQUESTS_STORE);
        this.pending = context.getStateStore(ConstitutionTopology.APPROVAL_PENDING_STORE);
        try (KeyValueIterator<String, Long> all = pending.all()) {
            waiting = 0;
            all.forEachRemaining(entry -> waiting++);
        }
        FilterMetrics.APPROVAL_QUEUE.set(waiting);
        context.schedule(policy.scanInterval(), PunctuationType.WALL_CLOCK_TIME, this::expireDue);
    }

    @Override
    public void process(Record<String, Input> record) {
        if (record.value() instanceof Requested requested) {
            onRequest(requested.request(), record.timestamp());
        } else if (record.value() instanceof Decided decided) {
            onDecision(decided.decision(), record.timestamp());
        }
    }

    private void onRequest(ApprovalRequest request, long timestamp) {
        // Decided statuses on the topic are this processor's own updates read back; the store
        // already holds them, and a status written by anyone else must not decide anything.
        if (!ApprovalStateMachine.isNew(request, requests.get(request.id()))) {
            return;
        }
        String problem = integrityProblem(request);
        if (problem != null) {
            LOG.warn("approval request {} refused: {}", request.id(), problem);
            audit(request.id(), "approval_refused", null, request.constraint(), "request refused: " + problem,
                    VerdictProcessor.ACTOR, correlationId(request), timestamp);
            return;
        }
        requests.put(request.id(), request);
        pending.put(request.id(), request.expiresAt().toEpochMilli());
        FilterMetrics.APPROVAL_QUEUE.set(++waiting);
        // Notified from the committed request (read_committed), so never for an aborted verdict; a
        // transaction retried after a crash may notify twice, which a person can bear.
        notifier.requested(request);
    }

    /** Why a request cannot be trusted to describe what a decision would release, or null. */
    private static String integrityProblem(ApprovalRequest request) {
        if (!ContentHash.of(request.subject()).equals(request.contentSha256())) {
            return "its subject does not match its contentSha256";
        }
        try {
            Gate.of(request.subjectKind()).fromSubject(request.subject());
            return null;
        } catch (InvalidEventException | IllegalArgumentException e) {
            return "its subject is not a valid " + request.subjectKind() + ": " + e.getMessage();
        }
    }

    private void onDecision(ApprovalDecision decision, long timestamp) {
        long now = context.currentSystemTimeMs();
        ApprovalRequest request = requests.get(decision.requestId());
        ApprovalStateMachine.Step step = ApprovalStateMachine.decide(request, decision, constitution.approvers(), now);
        if (step instanceof ApprovalStateMachine.Move move) {
            decide(Gate.of(request.subjectKind()), request, decision, move.transition(), now, timestamp);
            return;
        }
        ApprovalStateMachine.Refused refused = (ApprovalStateMachine.Refused) step;
        if (refused.expireFirst()) {
            expire(request, now);
        }
        LOG.warn("approval decision on {} by {} refused: {}", decision.requestId(), decision.by(), refused.reason());
        audit(decision.requestId(), "approval_refused", null, request == null ? "" : request.constraint(),
                "decision by " + decision.by() + " refused: " + refused.reason(), decision.by(),
                request == null ? decision.requestId() : correlationId(request), timestamp);
    }

    private <T> void decide(Gate<T> gate, ApprovalRequest request, ApprovalDecision decision,
                            ApprovalStateMachine.Transition transition, long now, long timestamp) {
        T item = gate.fromSubject(request.subject());
        Instant at = Instant.ofEpochMilli(now);
        String by = decision.by();
        String said = decision.reason().isBlank() ? "" : ": " + decision.reason();
        if (transition == ApprovalStateMachine.Transition.REJECT) {
            settle(request, transition, by, decision.reason(),
                    gate.refuse(constitution, item, request.constraint(), "rejected by " + by + said, at),
                    Decision.DENY, "approval_decision", gate.describe(item) + " rejected by " + by + said, timestamp);
            return;
        }
        // An approval lifts NEEDS_APPROVAL only: if the constitution (perhaps changed since) now
        // denies the item, no person's approval releases it.
        Ruling ruling = gate.check(constitution, item);
        if (ruling.decision() == Decision.DENY) {
            settle(request, ApprovalStateMachine.Transition.REJECT, by, decision.reason(),
                    gate.refuse(constitution, item, ruling.constraint(), ruling.reason(), at), Decision.DENY,
                    "approval_decision", gate.describe(item) + " approved by " + by
                            + " but the constitution now denies it: " + ruling.constraint() + ": " + ruling.reason(),
                    timestamp);
            return;
        }
        // The release carries the constitution's signature like an ALLOW does: crews and the tool
        // executor run nothing without one.
        VerdictSignature signature = gate.sign(signer, item, VerdictSignature.APPROVED, constitution.sha256());
        settle(request, transition, by, decision.reason(), new Emission(gate.approved(), item, signature),
                Decision.ALLOW, "approval_decision", gate.describe(item) + " approved by " + by + said, timestamp);
    }

    /** Releases or refuses the parked item, records the request's new status, and audits it. */
    private void settle(ApprovalRequest request, ApprovalStateMachine.Transition transition, String actor,
                        String decisionReason, Emission outcome, Decision verdict, String action, String auditReason,
                        long timestamp) {
        String correlationId = correlationId(request);
        emitter.emit(request.subjectId(), outcome, correlationId, timestamp);
        ApprovalRequest decided = request.decided(transition.from(request.status()), actor, decisionReason);
        emitter.emit(request.id(), new Emission(Topics.APPROVAL_REQUESTS, decided), correlationId, timestamp);
        requests.put(request.id(), decided);
        if (pending.delete(request.id()) != null) {
            FilterMetrics.APPROVAL_QUEUE.set(--waiting);
        }
        audit(request.id(), action, verdict, request.constraint(), auditReason, actor, correlationId, timestamp);
    }

    private void expireDue(long now) {
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = pending.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> entry = all.next();
                if (entry.value <= now) {
                    due.add(entry.key);
                }
            }
        }
        for (String id : due) {
            expire(requests.get(id), now);
        }
    }

    private void expire(ApprovalRequest request, long now) {
        expire(Gate.of(request.subjectKind()), request, now);
    }

    private <T> void expire(Gate<T> gate, ApprovalRequest request, long now) {
        T item = gate.fromSubject(request.subject());
        String why = "no decision within " + policy.timeout();
        LOG.info("approval request {} for {} expired", request.id(), gate.describe(item));
        settle(request, ApprovalStateMachine.Transition.EXPIRE, VerdictProcessor.ACTOR, why,
                gate.refuse(constitution, item, request.constraint(), why, Instant.ofEpochMilli(now)), Decision.DENY,
                "approval_expired", gate.describe(item) + " expired: " + why, now);
    }

    private void audit(String requestId, String action, Decision verdict, String constraint, String reason,
                       String actor, String correlationId, long timestamp) {
        AuditRecord record = chain.append(new AuditRecord(null, SubjectKind.APPROVAL, requestId, action, verdict,
                constraint, constitution.redact(reason), actor, constitution.sha256(), Instant.ofEpochMilli(context.currentSystemTimeMs()),
                null, null));
        emitter.emit(requestId, new Emission(Topics.AUDIT, record), correlationId, timestamp);
    }

    /** The task that started the chain: the task itself, or the task the tool call belongs to. */
    private static String correlationId(ApprovalRequest request) {
        Object taskId = request.subject().get("taskId");
        return request.subjectKind() == SubjectKind.TOOL_CALL && taskId instanceof String id ? id
                : request.subjectId();
    }
}
