package dev.hydra.constitution;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.topics.ParsedStream;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import java.util.Map;
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
 *   <li>tasks: hydra.tasks.proposed → verdict → approved / rejected / approval request, + audit;</li>
 *   <li>tool calls: hydra.toolcalls.requested → verdict → approved / DENIED result / approval
 *       request, + audit;</li>
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

    private static final TopicNameExtractor<String, Emission> TO_ITS_TOPIC =
            (key, emission, context) -> emission.topic().name();

    private ConstitutionTopology() {
    }

    public static Topology build(Constitution constitution, ApprovalPolicy policy, ApprovalNotifier notifier) {
        return build(constitution, policy, notifier, Faults.NONE);
    }

    static Topology build(Constitution constitution, ApprovalPolicy policy, ApprovalNotifier notifier,
                          Faults faults) {
        StreamsBuilder builder = new StreamsBuilder();
        gate(builder, Gate.TASKS, TASK_CHAIN_STORE, constitution, policy, faults);
        gate(builder, Gate.TOOL_CALLS, TOOL_CALL_CHAIN_STORE, constitution, policy, faults);
        approvals(builder, constitution, policy, notifier);
        return builder.build();
    }

    private static <T> void gate(StreamsBuilder builder, Gate<T> gate, String chainStore, Constitution constitution,
                                 ApprovalPolicy policy, Faults faults) {
        builder.addStateStore(chainStoreBuilder(chainStore));
        String prefix = "constitution-" + gate.slug() + "-";
        byId(gate, prefix, ParsedStream.from(builder, gate.source(), FilterSettings.APPLICATION_ID))
                .process(() -> new VerdictProcessor<>(gate, constitution, policy, chainStore, faults),
                        Named.as(prefix + "verdict"), chainStore)
                .to(TO_ITS_TOPIC, Produced.with(Serdes.String(), Emission.SERDE).withName(prefix + "sink"));
    }

    /**
     * The items on the partition their id hashes to. Producers key items by id (then nothing moves),
     * but a key-less or otherwise keyed item would be ruled on wherever it landed, and the audit
     * chain of its id would then have two heads in two stores; those few go through a repartition
     * topic keyed by id first.
     */
    private static <T> KStream<String, T> byId(Gate<T> gate, String prefix, KStream<String, T> items) {
        Map<String, KStream<String, T>> branches = items.split(Named.as(prefix + "keyed-"))
                .branch((key, item) -> gate.id(item).equals(key), Branched.as("by-id"))
                .defaultBranch(Branched.as("otherwise"));
        KStream<String, T> rekeyed = branches.get(prefix + "keyed-otherwise")
                .selectKey((key, item) -> gate.id(item), Named.as(prefix + "rekey"))
                .repartition(Repartitioned.<String, T>as(prefix + "by-id")
                        .withKeySerde(Serdes.String()).withValueSerde(gate.source().valueSerde())
                        .withNumberOfPartitions(gate.source().partitions()));
        return branches.get(prefix + "keyed-by-id").merge(rekeyed, Named.as(prefix + "on-id-partition"));
    }

    private static void approvals(StreamsBuilder builder, Constitution constitution, ApprovalPolicy policy,
                                  ApprovalNotifier notifier) {
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
                .process(() -> new ApprovalProcessor(constitution, policy, notifier), Named.as("constitution-approvals"),
                        APPROVAL_CHAIN_STORE, APPROVAL_REQUESTS_STORE, APPROVAL_PENDING_STORE)
                .to(TO_ITS_TOPIC, Produced.with(Serdes.String(), Emission.SERDE).withName("constitution-approval-sink"));
    }

    private static org.apache.kafka.streams.state.StoreBuilder<?> chainStoreBuilder(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String());
    }
}
