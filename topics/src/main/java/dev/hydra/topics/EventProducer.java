package dev.hydra.topics;

import dev.hydra.topics.signing.RecordSigner;
import dev.hydra.topics.signing.WriterSigner;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes typed events to catalog topics with Hydra's headers. Idempotent producer: a retried send
 * never duplicates a record.
 */
public final class EventProducer implements AutoCloseable {
    private final Producer<String, byte[]> producer;
    /** Signs what this producer writes to the topics whose records name a crew; null: it writes none of them. */
    private final RecordSigner signer;

    public EventProducer(Properties clientProps, String clientId) {
        this(clientProps, clientId, null);
    }

    /**
     * A producer whose records of {@link WriterSigner#SIGNED_TOPICS} carry {@code signer}'s signature
     * (a crew worker's, the console's operator key); without one such records go unsigned and are refused.
     */
    public EventProducer(Properties clientProps, String clientId, RecordSigner signer) {
        this.signer = signer;
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Batches fire-and-forget events; a writer that waits for each send passes its own (lower) linger.
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public <V> Future<RecordMetadata> send(Topic<V> topic, String key, V value, String correlationId) {
        return sendWithHeaders(topic, key, value, EventHeaders.of(topic, correlationId));
    }

    /** Sends with the given headers (Hydra's own, see {@link EventHeaders#of}, plus e.g. a signature). */
    public <V> Future<RecordMetadata> sendWithHeaders(Topic<V> topic, String key, V value, Headers headers) {
        byte[] bytes = topic.valueSerde().serialize(topic.name(), value);
        if (signer != null && WriterSigner.signs(topic.name())) {
            signer.sign(headers, topic.name(), key, value);
        }
        return producer.send(new ProducerRecord<>(topic.name(), null, key, bytes, headers));
    }

    /** Sends raw bytes (a dead letter, or a value passed through untouched). */
    public Future<RecordMetadata> sendRaw(ProducerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        return producer.send(new ProducerRecord<>(record.topic(), record.partition(), key, record.value(),
                record.headers()));
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
