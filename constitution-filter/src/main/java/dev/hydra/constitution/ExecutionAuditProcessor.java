package dev.hydra.constitution;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.AuditRecord;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends what the executors did with an item to the item's audit chain: an {@code executed} record
 * with the outcome, or an {@code execution_refused} record with the reason, chained after the
 * item's verdict (the chain store is the verdict processor's, on the same partition). The filter
 * stays the only writer of hydra.audit. Executors report at least once, so each kind of record is
 * written once per item: a redelivered report finds its mark in the executions store.
 */
final class ExecutionAuditProcessor<R> implements Processor<String, R, String, Emission> {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionAuditProcessor.class);

    private final Executions<R> executions;
    private final Constitution constitution;
    private final String chainStore;
    private final String executionsStore;
    /** The reports passed a {@link WriterCheck}: one it refused is not an execution of the item it names. */
    private final boolean writerChecked;
    private ProcessorContext<String, Emission> context;
    private Emitter emitter;
    private AuditChain chain;
    /** Per item id, the audit actions already written for it ("executed", "execution_refused"). */
    private KeyValueStore<String, String> written;

    ExecutionAuditProcessor(Executions<R> executions, Constitution constitution, String chainStore,
                            String executionsStore, boolean writerChecked) {
        this.writerChecked = writerChecked;
        this.executions = executions;
        this.constitution = constitution;
        this.chainStore = chainStore;
        this.executionsStore = executionsStore;
    }

    @Override
    public void init(ProcessorContext<String, Emission> context) {
        this.context = context;
        this.emitter = new Emitter(context);
        this.chain = new AuditChain(context.getStateStore(chainStore));
        this.written = context.getStateStore(executionsStore);
    }

    @Override
    public void process(Record<String, R> record) {
        String refused = writerChecked ? WriterCheck.refusal(record.headers()) : null;
        if (refused != null) {
            LOG.warn("{} report about {} {} not audited as its execution: {}", executions.reports().name(),
                    executions.kind(), executions.id(record.value()), refused);
            return;
        }
        executions.execution(record.value()).ifPresent(execution -> {
            String seen = written.get(execution.subjectId());
            if (seen != null && List.of(seen.split(",")).contains(execution.action())) {
                LOG.debug("{} of {} already audited", execution.action(), execution.subjectId());
                return;
            }
            written.put(execution.subjectId(), seen == null ? execution.action() : seen + "," + execution.action());
            String outcome = execution.outcome().length() <= Executions.MAX_OUTCOME ? execution.outcome()
                    : execution.outcome().substring(0, Executions.MAX_OUTCOME) + "…";
            AuditRecord audit = chain.append(new AuditRecord(null, executions.kind(), execution.subjectId(),
                    execution.action(), null, "", constitution.redact(outcome), execution.actor(),
                    constitution.sha256(), Instant.ofEpochMilli(context.currentSystemTimeMs()), null, null));
            emitter.emit(execution.subjectId(), new Emission(Topics.AUDIT, audit), execution.correlationId(),
                    record.timestamp());
        });
    }
}
