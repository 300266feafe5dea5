package dev.hydra.topics.signing;

import org.apache.kafka.common.header.Headers;

/**
 * Adds a writer's signature to a record of {@link WriterSigner#SIGNED_TOPICS} before it is sent
 * ({@link dev.hydra.topics.EventProducer}). {@link WriterSigner} is the one every service uses.
 */
@FunctionalInterface
public interface RecordSigner {
    /** Puts the signature of {@code value}, as the record of {@code topic} under {@code key}, on {@code headers}. */
    void sign(Headers headers, String topic, String key, Object value);
}
