package dev.hydra.constitution;

import dev.hydra.topics.Topic;
import dev.hydra.topics.signing.VerdictSignature;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One output of a filter processor: a value and the catalog topic it goes to. A processor forwards
 * emissions to a single sink that picks the topic per record, so every output of one input leaves
 * through the same node, in order, in the same transaction. A released item carries the
 * constitution's signature, which leaves as the {@code hydra-signature} header; a refused task
 * carries why (already redacted) as the {@code hydra-reason} header, so a producer reading
 * hydra.tasks.rejected learns it without the audit.
 */
record Emission(Topic<?> topic, Object value, VerdictSignature signature, String reason) {

    Emission(Topic<?> topic, Object value) {
        this(topic, value, null, null);
    }

    Emission(Topic<?> topic, Object value, VerdictSignature signature) {
        this(topic, value, signature, null);
    }

    Emission {
        if (!topic.valueType().isInstance(value)) {
            throw new IllegalArgumentException(topic + " carries " + topic.valueType().getSimpleName()
                    + ", not " + value.getClass().getSimpleName());
        }
    }

    /** Writes each emission with its topic's serde; emissions are never read back. */
    static final Serde<Emission> SERDE = Serdes.serdeFrom(
            (Serializer<Emission>) (topic, emission) -> emission == null ? null : emission.bytes(),
            (Deserializer<Emission>) (topic, bytes) -> {
                throw new UnsupportedOperationException("emissions are write-only");
            });

    byte[] bytes() {
        return serialize(topic, value);
    }

    private static <V> byte[] serialize(Topic<V> topic, Object value) {
        return topic.valueSerde().serialize(topic.name(), topic.valueType().cast(value));
    }
}
