package dev.hydra.constitution;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.constitution.rules.Ruling;
import dev.hydra.topics.ContentHash;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.signing.VerdictSignature;
import dev.hydra.topics.signing.VerdictSigner;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Rules on each proposed task or tool call and emits, from one input and so in one transaction, the
 * verdict's output (approved item, signed; refusal; or approval request) and its chained audit record.
 */
final class VerdictProcessor<T> implements Processor<String, T, String, Emission> {
    static final String ACTOR = "constitution-filter";
    /** The audit action of an item refused because its writer's signature did not prove the crew it names. */
    static final String WRITER_REFUSED = "writer_refused";

    private final Gate<T> gate;
    private final Constitution constitution;
    private final ApprovalPolicy policy;
    private final String chainStore;
    /** Null for a gate whose ids may be reused with new content (tasks). */
    private final String idsStore;
    private KeyValueStore<String, String> ids;
    private final Faults faults;
    private final VerdictSigner signer;
    /** True where items carry their writer's signature ({@link WriterCheck} ran before this). */
    private final boolean writerChecked;
    private ProcessorContext<String, Emission> context;
    private Emitter emitter;
    private AuditChain chain;

    VerdictProcessor(Gate<T> gate, Constitution constitution, ApprovalPolicy policy, String chainStore,
                     String idsStore, VerdictSigner signer, boolean writerChecked, Faults faults) {
        this.writerChecked = writerChecked;
        this.idsStore = idsStore;
        this.signer = signer;
        this.gate = gate;
        this.constitution = constitution;
        this.policy = policy;
        this.chainStore = chainStore;
        this.faults = faults;
    }

    @Override
    public void init(ProcessorContext<String, Emission> context) {
        this.context = context;
        this.emitter = new Emitter(context);
        this.chain = new AuditChain(context.getStateStore(chainStore));
        this.ids = idsStore == null ? null : context.getStateStore(idsStore);
    }

    @Override
    public void process(Record<String, T> record) {
        T item = record.value();
        String id = gate.id(item);
        String correlationId = gate.correlationId(item);
        // First: an item whose writer is not proven is not judged, and does not claim its id either.
        if (writerChecked && unproven(record, id, correlationId)) {
            return;
        }
        if (ids != null && reusesAnId(record, id)) {
            return;
        }
        if (gate.kind() == SubjectKind.TASK) {
            FilterMetrics.TASKS_PROPOSED.inc();
        }
        Ruling ruling = gate.check(constitution, item);
        FilterMetrics.verdict(ruling.decision(), ruling.constraint());
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        T clean = gate.redact(constitution, item);
        String auditReason = ruling.reason();
        switch (ruling.decision()) {
            // Signed over what leaves (the redacted item): that is what the executors will verify.
            case ALLOW -> emitter.emit(id, new Emission(gate.approved(), clean,
                            gate.sign(signer, clean, VerdictSignature.ALLOW, constitution.sha256())), correlationId,
                    record.timestamp());
            case DENY -> emitter.emit(id, gate.refuse(constitution, clean, ruling.constraint(), ruling.reason(), now),
                    correlationId, record.timestamp());
            case NEEDS_APPROVAL -> {
                ApprovalRequest request = park(clean, ruling, now);
                emitter.emit(request.id(), new Emission(Topics.APPROVAL_REQUESTS, request), correlationId,
                        record.timestamp());
                auditReason = ruling.reason() + " (approval request " + request.id() + ")";
            }
        }
        faults.afterVerdict(id);
        // The audit keeps the verdict and constraint; a secret quoted in a reason must not live in a
        // 365-day log either (never_expose_secrets), so reasons are redacted like everything else.
        AuditRecord audit = chain.append(new AuditRecord(null, gate.kind(), id, "verdict", ruling.decision(),
                ruling.constraint(), constitution.redact(auditReason), ACTOR, constitution.sha256(), now, null, null));
        emitter.emit(id, new Emission(Topics.AUDIT, audit), correlationId, record.timestamp());
    }

    /**
     * True (and the record dead-lettered, and audited as {@value #WRITER_REFUSED}) when the crew the
     * item names did not sign it: any crew's principal may write hydra.toolcalls.requested, and a call
     * naming another crew would be judged by that crew's rules and, for memory tools, run as that crew.
     * Nothing answers it: the crew it names never made it.
     */
    private boolean unproven(Record<String, T> record, String id, String correlationId) {
        String why = WriterCheck.refusal(record.headers());
        if (why == null) {
            return false;
        }
        String reason = gate.describe(record.value()) + " refused, not judged: " + why;
        var position = context.recordMetadata().orElseThrow();
        String[] origin = WriterCheck.origin(record.headers(), position.topic(), position.partition(), position.offset());
        var headers = DeadLetters.headers(origin[0], Integer.parseInt(origin[1]), Long.parseLong(origin[2]),
                new dev.hydra.topics.signing.UnverifiedRecordException(constitution.redact(reason)),
                FilterSettings.APPLICATION_ID);
        EventHeaders.set(headers, Topics.DLQ, correlationId);
        context.forward(new Record<>(record.key(), new Emission(Topics.DLQ, Json.tree(record.value())),
                record.timestamp(), headers));
        AuditRecord audit = chain.append(new AuditRecord(null, gate.kind(), id, WRITER_REFUSED, null, "crew_signature",
                constitution.redact(reason), ACTOR, constitution.sha256(),
                Instant.ofEpochMilli(context.currentSystemTimeMs()), null, null));
        emitter.emit(id, new Emission(Topics.AUDIT, audit), correlationId, record.timestamp());
        org.slf4j.LoggerFactory.getLogger(VerdictProcessor.class).warn("{}: dead-lettering {}-{}@{}: {}",
                FilterSettings.APPLICATION_ID, origin[0], origin[1], origin[2], reason);
        return true;
    }

    /**
     * True (and the record dead-lettered) when {@code id} was already ruled on for other content. The
     * executor runs a call id once and answers under it, and an agent's call ids can be computed
     * (task, attempt, sequence) or read off the approval queue: a second call under a parked call's
     * id would otherwise be allowed, run, and its output taken for the parked call's answer, and a
     * call run first under an id would shadow the real one (the executor replays what it ran). The
     * same content again (a redelivery, a retried send) is ruled on as before.
     */
    private boolean reusesAnId(Record<String, T> record, String id) {
        String content = ContentHash.of(ContentHash.asMap(record.value()));
        String first = ids.get(id);
        if (first == null) {
            ids.put(id, content);
            return false;
        }
        if (first.equals(content)) {
            return false;
        }
        String reason = gate.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " id '" + id
                + "' was already ruled on for other content (" + first + "; this one " + content
                + "): an id names one item, so this one is not judged, run or answered";
        var position = context.recordMetadata().orElseThrow();
        var headers = DeadLetters.headers(position.topic(), position.partition(), position.offset(),
                new InvalidEventException(reason), FilterSettings.APPLICATION_ID);
        EventHeaders.set(headers, Topics.DLQ, gate.correlationId(record.value()));
        context.forward(new Record<>(record.key(), new Emission(Topics.DLQ, Json.tree(record.value())),
                record.timestamp(), headers));
        org.slf4j.LoggerFactory.getLogger(VerdictProcessor.class).warn("{}: dead-lettering {}-{}@{}: {}",
                FilterSettings.APPLICATION_ID, position.topic(), position.partition(), position.offset(), reason);
        return true;
    }

    /** The request for a parked item; it binds to the hash of exactly what a decision will release. */
    private ApprovalRequest park(T clean, Ruling ruling, Instant now) {
        Map<String, Object> subject = ContentHash.asMap(clean);
        return new ApprovalRequest(requestId(), gate.kind(), gate.id(clean), subject, ContentHash.of(subject),
                ruling.constraint(), constitution.redact(ruling.reason()), ApprovalStatus.PENDING, now,
                now.plus(policy.timeout()), "", "");
    }

    /**
     * Derived from the input's position, so reprocessing the same input (a retried transaction, an
     * application reset) asks for the same request instead of queueing a second one.
     */
    private String requestId() {
        return context.recordMetadata()
                .map(m -> UUID.nameUUIDFromBytes((m.topic() + "/" + m.partition() + "/" + m.offset())
                        .getBytes(StandardCharsets.UTF_8)).toString())
                .orElseGet(() -> UUID.randomUUID().toString());
    }
}
