package dev.hydra.router;

import dev.hydra.topics.Topic;

/** A value the dispatcher writes, already serialized with its catalog topic's serde. */
record Outbound(String topic, byte[] value) {

    static <V> Outbound of(Topic<V> topic, V value) {
        return new Outbound(topic.name(), topic.valueSerde().serialize(topic.name(), value));
    }
}
