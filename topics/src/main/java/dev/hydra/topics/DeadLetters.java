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
    /** Set when the value had to be cut to fit the broker's limit: the original length in bytes. */
    public static final String TRUNCATED = "hydra-dlq-truncated-from";
    /** The names of original headers left off because the dead letter would not fit otherwise. */
    public static final String DROPPED_HEADERS = "hydra-dlq-dropped-headers";

    /**
     * The largest dead letter written: the broker's and the clients' limit (16 MiB, see
     * {@link StreamsConfigs}) less room for record and batch overhead. A value that did not parse may
     * already be as large as the broker takes; with its dead-letter headers added it would be refused,
     * and a Streams application would fail on it again after every restart.
     */
    public static final int MAX_BYTES = 16 * 1024 * 1024 - 64 * 1024;
    /**
     * The largest record (value, key and headers) a Streams application takes in: 64 KiB under
     * {@link #MAX_BYTES}, room for the headers and the audit its outputs add.
     */
    public static final int MAX_INPUT_BYTES = MAX_BYTES - 64 * 1024;

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
        byte[] value = fit(failed.key(), failed.value(), failed.headers(), headers);
        return new ProducerRecord<>(Topics.DLQ.name(), null, failed.key(), value, headers);
    }

    /**
     * Adds the {@code original} headers to a dead letter's {@code headers} and returns its value, both
     * kept whole when they fit in {@link #MAX_BYTES}: otherwise the original headers are left off (their
     * names in {@link #DROPPED_HEADERS}) and, if that is not enough, the value is cut to fit (its
     * length in {@link #TRUNCATED}). Nothing is dropped from a dead letter that fits.
     */
    public static byte[] fit(byte[] key, byte[] value, Iterable<Header> original, Headers headers) {
        long fixed = size(key) + size(headers);
        long originals = 0;
        for (Header header : original) {
            originals += size(header);
        }
        if (fixed + originals + size(value) <= MAX_BYTES) {
            original.forEach(headers::add);
            return value;
        }
        java.util.List<String> dropped = new java.util.ArrayList<>();
        original.forEach(header -> dropped.add(header.key()));
        if (!dropped.isEmpty()) {
            String names = String.join(",", dropped);
            headers.add(DROPPED_HEADERS, EventHeaders.utf8(names.length() <= MAX_ERROR_CHARS ? names
                    : names.substring(0, MAX_ERROR_CHARS) + "…"));
        }
        if (value == null || fixed + size(headers.lastHeader(DROPPED_HEADERS)) + value.length + 64 <= MAX_BYTES) {
            return value;
        }
        headers.add(TRUNCATED, EventHeaders.utf8(Integer.toString(value.length)));
        long room = MAX_BYTES - size(key) - size(headers);
        return java.util.Arrays.copyOf(value, (int) Math.max(0, Math.min(value.length, room)));
    }

    private static long size(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static long size(Header header) {
        return header == null ? 0 : header.key().length() * 4L + size(header.value()) + 16;
    }

    private static long size(Headers headers) {
        long total = 0;
        for (Header header : headers) {
            total += size(header);
        }
        return total;
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
