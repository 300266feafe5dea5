package dev.hydra.router;

import dev.hydra.router.rules.Origin;
import dev.hydra.router.rules.TrackedTask;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.JsonSerde;
import dev.hydra.topics.ParsedStream;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.UnverifiedRecordException;
import dev.hydra.topics.signing.VerdictVerifier;
import dev.hydra.topics.signing.WriterSigner;
import dev.hydra.topics.signing.WriterVerifier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;

/**
 * The task router's topology.
 *
 * <p>Dedup fingerprints and resource conflicts relate tasks with different ids, and node
 * announcements relate to every task of a crew, while the input topics are partitioned by task id
 * (approved, status) or hold all nodes in one partition. Partitioning by crew would still split a
 * resource such as {@code service:letta} that tasks of two crews change. So approved tasks, statuses
 * and node announcements are merged into one internal <b>single-partition coordinator topic</b>, and
 * one {@link DispatchProcessor} owns all of the router's state. That is correct by construction (one
 * writer for every fingerprint and resource) and ample for the load: tasks are minutes of agent work
 * each, so even thousands a day are a trickle for one partition. Scaling out means running standby
 * replicas for fail-over, not more partitions. Tasks approved on different partitions at the same
 * moment reach the coordinator in either order; the order that matters, releasing held tasks by
 * priority and impact, is the dispatcher's own.
 *
 * <p>The stores are in-memory and changelogged: the open set is small (open tasks, fingerprints,
 * resources, nodes) and restores in moments, while RocksDB flushed on every exactly-once commit and
 * made routing about ten times slower.
 *
 * <pre>
 *  hydra.tasks.approved ─parse─verify─┐  (a signature the verifier refuses ─► hydra.dlq)
 *  hydra.tasks.status ───parse────────┼─► router-coordinator (1 partition) ─► router-dispatch ─► hydra.crew.&lt;crew&gt;.p&lt;n&gt;
 *  hydra.crew.nodes ─────parse────────┘          stores: router-tasks, -fingerprints,            hydra.tasks.status
 *  (malformed values ─► hydra.dlq)                -resources, -nodes                      hydra.dlq (given up)
 * </pre>
 */
public final class RouterTopology {
    static final String APP = "task-router";
    static final String TASKS_STORE = "router-tasks";
    static final String FINGERPRINTS_STORE = "router-fingerprints";
    static final String RESOURCES_STORE = "router-resources";
    static final String NODES_STORE = "router-nodes";
    /** Task id → when it ended and its content hash, as long as hydra.tasks.approved keeps its record (see Dispatcher). */
    static final String ENDS_STORE = "router-ends";
    /** The internal topic is {@code <applicationId>-router-coordinator-repartition}. */
    static final String COORDINATOR = "router-coordinator";

    static final JsonSerde<RouterInput> INPUT = JsonSerde.of(RouterInput.class, "any");
    static final JsonSerde<TrackedTask> TRACKED = JsonSerde.of(TrackedTask.class, "any");
    private static final Serde<Outbound> OUTBOUND = Serdes.serdeFrom(
            (topic, outbound) -> outbound == null ? null : outbound.value(),
            (topic, bytes) -> {
                throw new UnsupportedOperationException("outbound records are only written");
            });

    private RouterTopology() {
    }

    /**
     * @param verifier checks each approved record's signature before the router tracks it: an
     *                 unsigned copy written to hydra.tasks.approved under a task's id would otherwise be
     *                 tracked first and make the constitution's real release look like a redelivery
     */
    /**
     * @param writers checks who wrote each status before the router acts on it: any crew's principal
     *                may write hydra.tasks.status, and a forged COMPLETED would end another crew's task
     * @param signer  the router's own key, which signs the statuses and FAILED results it writes
     */
    public static Topology build(RouterSettings settings, VerdictVerifier verifier, WriterVerifier writers,
                                 WriterSigner signer) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TASKS_STORE),
                Serdes.String(), TRACKED));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(FINGERPRINTS_STORE),
                Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RESOURCES_STORE),
                Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(NODES_STORE),
                Serdes.String(), Topics.CREW_NODES.valueSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ENDS_STORE),
                Serdes.String(), Serdes.String()));

        KStream<String, Stamped> stamped = ParsedStream.from(builder, Topics.TASKS_APPROVED, APP)
                .processValues(() -> new OriginStamp(verifier), Named.as("router-approved-input"));
        stamped.filter((key, value) -> value.input() == null, Named.as("router-approved-unverified"))
                .mapValues(Stamped::refused, Named.as("router-approved-unverified-raw"))
                .to(Topics.DLQ.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("router-approved-dlq"));
        KStream<String, RouterInput> approved = stamped.filter((key, value) -> value.input() != null,
                Named.as("router-approved-verified")).mapValues(Stamped::input, Named.as("router-approved-value"));
        KStream<String, Stamped> checkedStatuses = ParsedStream.from(builder, Topics.TASK_STATUS, APP)
                .processValues(() -> new WriterStamp(writers), Named.as("router-status-input"));
        checkedStatuses.filter((key, value) -> value.input() == null, Named.as("router-status-unverified"))
                .mapValues(Stamped::refused, Named.as("router-status-unverified-raw"))
                .to(Topics.DLQ.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("router-status-dlq"));
        KStream<String, RouterInput> statuses = checkedStatuses.filter((key, value) -> value.input() != null,
                Named.as("router-status-verified")).mapValues(Stamped::input, Named.as("router-status-value"));
        KStream<String, RouterInput> nodes = ParsedStream.from(builder, Topics.CREW_NODES, APP)
                .mapValues(node -> RouterInput.of(node), Named.as("router-node-input"));

        approved.merge(statuses, Named.as("router-merge-statuses"))
                .merge(nodes, Named.as("router-merge-nodes"))
                .selectKey((key, input) -> input.key(), Named.as("router-key"))
                .repartition(Repartitioned.<String, RouterInput>as(COORDINATOR)
                        .withKeySerde(Serdes.String()).withValueSerde(INPUT).withNumberOfPartitions(1))
                .process(() -> new DispatchProcessor(settings.policy(), settings.checkInterval(), signer),
                        Named.as("router-dispatch"), TASKS_STORE, FINGERPRINTS_STORE, RESOURCES_STORE, NODES_STORE,
                        ENDS_STORE)
                .to((key, outbound, context) -> outbound.topic(),
                        Produced.with(Serdes.String(), OUTBOUND).withName("router-out"));
        return builder.build();
    }

    /** An approved task the router tracks, or the value of one whose signature was refused (dead-lettered). */
    record Stamped(RouterInput input, byte[] refused) {
    }

    /**
     * Verifies an approved task's signature and remembers where it was read and the signature it
     * carried, before the repartition hides the one and the router's store outlives the other (a
     * promotion or retry is published from the store, long after the approved record).
     */
    private static final class OriginStamp implements FixedKeyProcessor<String, Task, Stamped> {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RouterTopology.class);
        private final VerdictVerifier verifier;
        private FixedKeyProcessorContext<String, Stamped> context;

        OriginStamp(VerdictVerifier verifier) {
            this.verifier = verifier;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Stamped> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, Task> record) {
            Origin at = context.recordMetadata()
                    .map(m -> new Origin(m.topic(), m.partition(), m.offset())).orElse(Origin.UNKNOWN);
            var refusal = verifier.refusal(record.headers(), record.value());
            if (refusal.isPresent()) {
                LOG.warn("{}: dead-lettering {}-{}@{} (task {}): {}", APP, at.topic(), at.partition(), at.offset(),
                        record.value().id(), refusal.get());
                var headers = DeadLetters.headers(at.topic(), at.partition(), at.offset(),
                        new UnverifiedRecordException(refusal.get()), APP);
                byte[] value = DeadLetters.fit(record.key() == null ? null
                        : record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        Topics.TASKS_APPROVED.valueSerde().serialize(at.topic(), record.value()), record.headers(), headers);
                context.forward(record.withValue(new Stamped(null, value)).withHeaders(headers));
                return;
            }
            Origin origin = at.signedWith(EventHeaders.get(record.headers(), EventHeaders.SIGNATURE).orElse(null));
            context.forward(record.withValue(new Stamped(RouterInput.of(record.value(), origin), null)));
        }
    }

    /**
     * Checks a status's writer signature under the key it was written with, before the repartition
     * re-keys it: the crew it names (or the router itself) must have signed it. A status that does not
     * verify is dead-lettered with the reason and never moves a task.
     */
    private static final class WriterStamp implements FixedKeyProcessor<String, TaskStatus, Stamped> {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RouterTopology.class);
        private final WriterVerifier writers;
        private FixedKeyProcessorContext<String, Stamped> context;

        WriterStamp(WriterVerifier writers) {
            this.writers = writers;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Stamped> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, TaskStatus> record) {
            var refusal = writers.refusal(Topics.TASK_STATUS.name(), record.key(), record.headers(), record.value());
            if (refusal.isEmpty()) {
                context.forward(record.withValue(new Stamped(RouterInput.of(record.value()), null)));
                return;
            }
            Origin at = context.recordMetadata()
                    .map(m -> new Origin(m.topic(), m.partition(), m.offset())).orElse(Origin.UNKNOWN);
            String reason = record.value().state() + " of task " + record.value().taskId() + " not acted on: "
                    + refusal.get();
            LOG.warn("{}: dead-lettering {}-{}@{}: {}", APP, at.topic(), at.partition(), at.offset(), reason);
            var headers = DeadLetters.headers(at.topic(), at.partition(), at.offset(),
                    new UnverifiedRecordException(reason), APP);
            byte[] value = DeadLetters.fit(record.key() == null ? null
                    : record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    Topics.TASK_STATUS.valueSerde().serialize(at.topic(), record.value()), record.headers(), headers);
            context.forward(record.withValue(new Stamped(null, value)).withHeaders(headers));
        }
    }
}
