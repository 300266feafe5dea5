package dev.hydra.topics;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One entry of the topic catalog: name, layout and the serde of its values. Keys are always
 * plain UTF-8 strings (DESIGN.md), so only the value type varies.
 *
 * @param retention empty means the broker default
 */
public record Topic<V>(String name, int partitions, Optional<Duration> retention, boolean compacted,
                       JsonSerde<V> valueSerde) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(valueSerde, "valueSerde");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, was " + partitions);
        }
    }

    public Serde<String> keySerde() {
        return Serdes.String();
    }

    public Class<V> valueType() {
        return valueSerde.type();
    }

    @Override
    public String toString() {
        return name;
    }
}
