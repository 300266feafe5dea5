package dev.hydra.topics;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How a value that cannot be processed reaches {@code hydra.dlq}: the original key and bytes,
 * untouched, plus headers naming where it came from and why it failed, so nothing is lost and a
 * person can replay it after fixing it.
 */
public final class DeadLetters {
    public static final String SOURCE_TOPIC = "hydra-dlq-source-topic";
    public static final String SOURCE_PARTITION = "hydra-dlq-source-partition";
    public static final String SOURCE_OFFSET = "hydra-dlq-source-offset";
    public static final String ERROR = "hydra-dlq-error";
    public static final String ERROR_CLASS = "hydra-dlq-error-class";
    public static final String FAILED_BY = "hydra-dlq-failed-by";

    /**
     * Every dead letter, counted where it is made (each service that dead-letters), by the service and
     * the topic the value came from: a rising count is the first sign of a producer sending bad data.
     */
    public static final io.prometheus.client.Counter DEAD_LETTERED = io.prometheus.client.Counter.build("hydra_dlq",
            "values sent to hydra.dlq, by the service that gave up on them and their source topic")
            .labelNames("failed_by", "source_topic").register();

    /** Error texts are capped so that a huge hostile value cannot make a huge header. */
    private static final int MAX_ERROR_CHARS = 2_000;

    private DeadLetters() {
    }

    /** The dead letter for a record a consumer could not handle. */
    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> failed, Throwable error,
                                                    String failedBy) {
        Headers headers = headers(failed.topic(), failed.partition(), failed.offset(), error, failedBy);
        for (Header original : failed.headers()) {
            headers.add(original);
        }
        return new ProducerRecord<>(Topics.DLQ.name(), null, failed.key(), failed.value(), headers);
    }

    /** The headers naming the source position and the error. */
    public static Headers headers(String topic, int partition, long offset, Throwable error, String failedBy) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(SOURCE_TOPIC, EventHeaders.utf8(topic));
        headers.add(SOURCE_PARTITION, EventHeaders.utf8(Integer.toString(partition)));
        headers.add(SOURCE_OFFSET, EventHeaders.utf8(Long.toString(offset)));
        headers.add(ERROR, EventHeaders.utf8(describe(error)));
        headers.add(ERROR_CLASS, EventHeaders.utf8(error.getClass().getName()));
        headers.add(FAILED_BY, EventHeaders.utf8(failedBy));
        DEAD_LETTERED.labels(failedBy, topic).inc();
        return headers;
    }

    static String describe(Throwable error) {
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return message.length() <= MAX_ERROR_CHARS ? message : message.substring(0, MAX_ERROR_CHARS) + "…";
    }

    public static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
