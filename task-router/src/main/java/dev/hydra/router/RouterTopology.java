package dev.hydra.router;

import dev.hydra.router.rules.Origin;
import dev.hydra.router.rules.TrackedTask;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.JsonSerde;
import dev.hydra.topics.ParsedStream;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.signing.UnverifiedRecordException;
import dev.hydra.topics.signing.VerdictVerifier;
import dev.hydra.topics.signing.WriterSigner;
import dev.hydra.topics.signing.WriterVerifier;
import java.util.Optional;
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

        KStream<String, RouterInput> approved = verified(ParsedStream.from(builder, Topics.TASKS_APPROVED, APP)
                .processValues(() -> new Checked<>(Topics.TASKS_APPROVED,
                        record -> verifier.refusal(record.headers(), record.value()),
                        (record, at) -> RouterInput.of(record.value(),
                                at.signedWith(EventHeaders.get(record.headers(), EventHeaders.SIGNATURE).orElse(null)))),
                        Named.as("router-approved-input")), "router-approved");
        KStream<String, RouterInput> statuses = verified(ParsedStream.from(builder, Topics.TASK_STATUS, APP)
                .processValues(() -> new Checked<>(Topics.TASK_STATUS,
                        record -> writers.refusal(Topics.TASK_STATUS.name(), record.key(), record.headers(), record.value())
                                .map(why -> record.value().state() + " of task " + record.value().taskId()
                                        + " not acted on: " + why),
                        (record, at) -> RouterInput.of(record.value())),
                        Named.as("router-status-input")), "router-status");
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

    /** The checked inputs on, the refused ones dead-lettered (their value already the dead letter's). */
    private static KStream<String, RouterInput> verified(KStream<String, Stamped> checked, String name) {
        checked.filter((key, value) -> value.input() == null, Named.as(name + "-unverified"))
                .mapValues(Stamped::refused, Named.as(name + "-unverified-raw"))
                .to(Topics.DLQ.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName(name + "-dlq"));
        return checked.filter((key, value) -> value.input() != null, Named.as(name + "-verified"))
                .mapValues(Stamped::input, Named.as(name + "-value"));
    }

    /** An input the router acts on, or the value of one whose signature was refused (dead-lettered). */
    record Stamped(RouterInput input, byte[] refused) {
    }

    /**
     * Checks an input's signature under the key it was written with and where it was read, before the
     * repartition re-keys it and hides its origin: an approved task's verdict signature (the origin and
     * the signature are kept with it, since a promotion or retry is published from the router's store
     * long after the approved record), a status's writer signature (the crew it names, or the router
     * itself, must have signed it). One that does not verify is dead-lettered with the reason and never
     * moves a task.
     */
    private static final class Checked<V> implements FixedKeyProcessor<String, V, Stamped> {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RouterTopology.class);

        /** Why the record may not be acted on, if it may not. */
        interface Check<V> {
            Optional<String> refusal(FixedKeyRecord<String, V> record);
        }

        /** What the router acts on, for a record that verified. */
        interface Accept<V> {
            RouterInput input(FixedKeyRecord<String, V> record, Origin at);
        }

        private final Topic<V> topic;
        private final Check<V> check;
        private final Accept<V> accept;
        private FixedKeyProcessorContext<String, Stamped> context;

        Checked(Topic<V> topic, Check<V> check, Accept<V> accept) {
            this.topic = topic;
            this.check = check;
            this.accept = accept;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Stamped> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, V> record) {
            Origin at = context.recordMetadata()
                    .map(m -> new Origin(m.topic(), m.partition(), m.offset())).orElse(Origin.UNKNOWN);
            var refusal = check.refusal(record);
            if (refusal.isEmpty()) {
                context.forward(record.withValue(new Stamped(accept.input(record, at), null)));
                return;
            }
            LOG.warn("{}: dead-lettering {}-{}@{} (key {}): {}", APP, at.topic(), at.partition(), at.offset(),
                    record.key(), refusal.get());
            var headers = DeadLetters.headers(at.topic(), at.partition(), at.offset(),
                    new UnverifiedRecordException(refusal.get()), APP);
            byte[] value = DeadLetters.fit(record.key() == null ? null
                    : record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    topic.valueSerde().serialize(at.topic(), record.value()), record.headers(), headers);
            context.forward(record.withValue(new Stamped(null, value)).withHeaders(headers));
        }
    }
}
