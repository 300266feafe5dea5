package dev.hydra.constitution;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.topics.ParsedStream;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.signing.VerdictSigner;
import dev.hydra.topics.signing.WriterVerifier;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The constitution filter's topology, three sub-topologies:
 * <ul>
 *   <li>tasks: hydra.tasks.proposed → verdict → approved (signed) / rejected / approval request, + audit;
 *       and hydra.tasks.status (terminal and REFUSED) → executed / execution_refused audit;</li>
 *   <li>tool calls: hydra.toolcalls.requested → verdict → approved (signed) / DENIED result / approval
 *       request, + audit; and hydra.toolcalls.results (run or REFUSED) → executed / execution_refused audit;</li>
 *   <li>approvals: hydra.approvals.requests + hydra.approvals.decisions → release, refusal or
 *       expiry, + the request's new status, + audit.</li>
 * </ul>
 * Parked items reach the approvals processor through hydra.approvals.requests, the single-partition
 * topic the decisions are co-partitioned with, so approvals need no repartition topic. Each
 * processor writes every output of one input through one sink, so they commit together.
 */
public final class ConstitutionTopology {
    public static final String TASK_CHAIN_STORE = "constitution-task-audit-chain";
    public static final String TOOL_CALL_CHAIN_STORE = "constitution-toolcall-audit-chain";
    public static final String APPROVAL_REQUESTS_STORE = "constitution-approval-requests";
    public static final String APPROVAL_PENDING_STORE = "constitution-approval-pending";
    public static final String APPROVAL_CHAIN_STORE = "constitution-approval-audit-chain";
    public static final String TASK_EXECUTIONS_STORE = "constitution-task-executions";
    public static final String TOOL_CALL_EXECUTIONS_STORE = "constitution-toolcall-executions";
    /**
     * Tool call id → content hash of the first call ruled on under it. A call id is the executor's
     * idempotency key and the key its result is found by, so a second, different call under an id
     * already ruled on would answer (or shadow) the first one; it is dead-lettered instead.
     */
    public static final String TOOL_CALL_IDS_STORE = "constitution-toolcall-ids";

    private static final TopicNameExtractor<String, Emission> TO_ITS_TOPIC =
            (key, emission, context) -> emission.topic().name();

    private ConstitutionTopology() {
    }

    /**
     * @param signer  signs every ALLOW and every approved release (the constitution's private key)
     * @param writers every writer's public keys: a requested tool call is judged only when the crew it
     *                names (or the operator) signed it
     */
    public static Topology build(Constitution constitution, ApprovalPolicy policy, ApprovalNotifier notifier,
                                 VerdictSigner signer, WriterVerifier writers) {
        return build(constitution, policy, notifier, signer, writers, Faults.NONE);
    }

    static Topology build(Constitution constitution, ApprovalPolicy policy, ApprovalNotifier notifier,
                          VerdictSigner signer, WriterVerifier writers, Faults faults) {
        StreamsBuilder builder = new StreamsBuilder();
        // Tasks keep no ids store: the assessor proposes a gap's task again under the same id with new
        // content (createdAt, impact), and the router and crews already run one task per id.
        // A task's executions are the statuses its crew signs (hydra.tasks.status): checked like a tool call's
        // writer. The tool executor's results on hydra.toolcalls.results are not writer-signed.
        gate(builder, Gate.TASKS, Executions.TASKS, TASK_CHAIN_STORE, TASK_EXECUTIONS_STORE, null, constitution,
                policy, signer, null, writers, faults);
        gate(builder, Gate.TOOL_CALLS, Executions.TOOL_CALLS, TOOL_CALL_CHAIN_STORE, TOOL_CALL_EXECUTIONS_STORE,
                TOOL_CALL_IDS_STORE, constitution, policy, signer, writers, null, faults);
        approvals(builder, constitution, policy, notifier, signer);
        return builder.build();
    }

    /**
     * The verdicts on one kind of item and the audit of their executions: both processors append to
     * the same chain store, so an item's executed record follows its verdict in one chain. That puts
     * them in one sub-topology, whose input topics all have the work partition count and are keyed
     * by the item id.
     */
    private static <T, R> void gate(StreamsBuilder builder, Gate<T> gate, Executions<R> executions, String chainStore,
                                    String executionsStore, String idsStore, Constitution constitution,
                                    ApprovalPolicy policy, VerdictSigner signer, WriterVerifier writers,
                                    WriterVerifier reportWriters, Faults faults) {
        builder.addStateStore(chainStoreBuilder(chainStore));
        builder.addStateStore(chainStoreBuilder(executionsStore));
        String[] verdictStores = idsStore == null ? new String[] {chainStore} : new String[] {chainStore, idsStore};
        if (idsStore != null) {
            builder.addStateStore(chainStoreBuilder(idsStore));
        }
        String prefix = "constitution-" + gate.slug() + "-";
        KStream<String, T> items = ParsedStream.from(builder, gate.source(), FilterSettings.APPLICATION_ID);
        if (writers != null) {
            // before the re-keying: the writer signed the key it wrote the record under
            items = items.processValues(() -> new WriterCheck<T>(gate.source().name(), writers),
                    Named.as(prefix + "writer-check"));
        }
        boolean writerChecked = writers != null;
        byId(gate.source(), gate::id, prefix, items)
                .process(() -> new VerdictProcessor<>(gate, constitution, policy, chainStore, idsStore, signer,
                                writerChecked, faults),
                        Named.as(prefix + "verdict"), verdictStores)
                .to(TO_ITS_TOPIC, Produced.with(Serdes.String(), Emission.SERDE).withName(prefix + "sink"));
        String executed = prefix + "execution-";
        KStream<String, R> reports = ParsedStream.from(builder, executions.reports(), FilterSettings.APPLICATION_ID)
                .filter((key, report) -> executions.execution(report).isPresent(), Named.as(executed + "reported"));
        if (reportWriters != null) {
            // before the re-keying, as for the items: a status counts as an execution only when the crew
            // it names (or the router) signed it; a forged one would be audited under the crew's name and
            // would mark the item as audited, so the real report would be dropped as a redelivery
            reports = reports.processValues(() -> new WriterCheck<R>(executions.reports().name(), reportWriters),
                    Named.as(executed + "writer-check"));
        }
        boolean reportsChecked = reportWriters != null;
        byId(executions.reports(), executions::id, executed, reports)
                .process(() -> new ExecutionAuditProcessor<>(executions, constitution, chainStore, executionsStore,
                                reportsChecked),
                        Named.as(executed + "audit"), chainStore, executionsStore)
                .to(TO_ITS_TOPIC, Produced.with(Serdes.String(), Emission.SERDE).withName(executed + "sink"));
    }

    /**
     * The items on the partition their id hashes to. Producers key items by id (then nothing moves),
     * but a key-less or otherwise keyed item would be ruled on wherever it landed, and the audit
     * chain of its id would then have two heads in two stores; those few go through a repartition
     * topic keyed by id first.
     */
    private static <T> KStream<String, T> byId(Topic<T> source, Function<T, String> id, String prefix,
                                               KStream<String, T> items) {
        Map<String, KStream<String, T>> branches = items.split(Named.as(prefix + "keyed-"))
                .branch((key, item) -> id.apply(item).equals(key), Branched.as("by-id"))
                .defaultBranch(Branched.as("otherwise"));
        KStream<String, T> rekeyed = branches.get(prefix + "keyed-otherwise")
                .selectKey((key, item) -> id.apply(item), Named.as(prefix + "rekey"))
                .repartition(Repartitioned.<String, T>as(prefix + "by-id")
                        .withKeySerde(Serdes.String()).withValueSerde(source.valueSerde())
                        .withNumberOfPartitions(source.partitions()));
        return branches.get(prefix + "keyed-by-id").merge(rekeyed, Named.as(prefix + "on-id-partition"));
    }

    private static void approvals(StreamsBuilder builder, Constitution constitution, ApprovalPolicy policy,
                                  ApprovalNotifier notifier, VerdictSigner signer) {
        builder.addStateStore(chainStoreBuilder(APPROVAL_CHAIN_STORE));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(APPROVAL_REQUESTS_STORE),
                Serdes.String(), Topics.APPROVAL_REQUESTS.valueSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(APPROVAL_PENDING_STORE),
                Serdes.String(), Serdes.Long()));
        KStream<String, ApprovalProcessor.Input> requests = ParsedStream
                .from(builder, Topics.APPROVAL_REQUESTS, FilterSettings.APPLICATION_ID)
                .mapValues((ApprovalRequest request) -> (ApprovalProcessor.Input) new ApprovalProcessor.Requested(request),
                        Named.as("constitution-approval-requested"));
        KStream<String, ApprovalProcessor.Input> decisions = ParsedStream
                .from(builder, Topics.APPROVAL_DECISIONS, FilterSettings.APPLICATION_ID)
                .mapValues(decision -> (ApprovalProcessor.Input) new ApprovalProcessor.Decided(decision),
                        Named.as("constitution-approval-decided"));
        requests.merge(decisions, Named.as("constitution-approval-inputs"))
                .process(() -> new ApprovalProcessor(constitution, policy, notifier, signer), Named.as("constitution-approvals"),
                        APPROVAL_CHAIN_STORE, APPROVAL_REQUESTS_STORE, APPROVAL_PENDING_STORE)
                .to(TO_ITS_TOPIC, Produced.with(Serdes.String(), Emission.SERDE).withName("constitution-approval-sink"));
    }

    private static org.apache.kafka.streams.state.StoreBuilder<?> chainStoreBuilder(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String());
    }
}
