package dev.hydra.topics;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers every Hydra event carries so that Kafka UI and kcat users can follow a chain without
 * decoding values.
 */
public final class EventHeaders {
    public static final String TYPE = "hydra-type";
    public static final String SCHEMA_VERSION = "hydra-schema-version";
    public static final String CORRELATION_ID = "hydra-correlation-id";
    public static final String CURRENT_SCHEMA_VERSION = "1";
    /**
     * The constitution's Ed25519 signature on a released task or tool call (on hydra.tasks.approved,
     * the crew lanes and hydra.toolcalls.approved): {@code v1;kid=…;verdict=ALLOW|APPROVED;constitution=…;sig=…},
     * see {@link dev.hydra.topics.signing.VerdictSignature}. Crews and the tool executor run nothing without
     * a valid one; the router carries it from hydra.tasks.approved onto every lane record of the task.
     */
    public static final String SIGNATURE = "hydra-signature";
    /**
     * Who wrote a record of hydra.tasks.status, hydra.tasks.results or hydra.toolcalls.requested: the
     * Ed25519 signature of the crew the record names (or of the router or the operator, where they
     * may speak for a crew), {@code v1;by=…;kid=…;sig=…}, see {@link dev.hydra.topics.signing.WriterSignature}.
     */
    public static final String CREW_SIGNATURE = "hydra-crew-signature";
    /**
     * Which run of a task a lane record asks for: absent or 1 for the first, set by the router on each
     * retry (and on the dead letter of a task it gave up on). Not signed: a worker never lets a higher
     * attempt rerun a task that already ended.
     */
    public static final String ATTEMPT = "hydra-attempt";
    /**
     * Why the constitution filter refused a task, on its record in hydra.tasks.rejected: the constraint
     * and the reason ({@code unknown_action: task.action 'x' is not an action of crew …}), redacted and at
     * most {@link #MAX_REASON} characters. Not signed; the audit record is the authority.
     */
    public static final String REASON = "hydra-reason";
    public static final int MAX_REASON = 2_000;

    private EventHeaders() {
    }

    /** Headers for a value of {@code topic}, correlated with the task that started the chain. */
    public static Headers of(Topic<?> topic, String correlationId) {
        return set(new RecordHeaders(), topic, correlationId);
    }

    /** Replaces Hydra's headers on {@code headers} (other headers are kept). */
    public static Headers set(Headers headers, Topic<?> topic, String correlationId) {
        headers.remove(TYPE).remove(SCHEMA_VERSION).remove(CORRELATION_ID);
        headers.add(TYPE, utf8(topic.valueSerde().eventType()));
        headers.add(SCHEMA_VERSION, utf8(CURRENT_SCHEMA_VERSION));
        if (correlationId != null) {
            headers.add(CORRELATION_ID, utf8(correlationId));
        }
        return headers;
    }

    public static Optional<String> get(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null
                ? Optional.empty() : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    /**
     * How many headers named {@code name} the record carries. {@link #get} reads the last; a verifier
     * refuses a signature header that appears more than once, so no reader can take another one.
     */
    public static int count(Headers headers, String name) {
        int count = 0;
        for (Header ignored : headers.headers(name)) {
            count++;
        }
        return count;
    }

    /** The attempt a record carries; 1 when the header is absent or unreadable. */
    public static int attempt(Headers headers) {
        try {
            return get(headers, ATTEMPT).map(value -> Math.max(1, Integer.parseInt(value.trim()))).orElse(1);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Sets (replaces) the attempt header. */
    public static Headers putAttempt(Headers headers, int attempt) {
        return put(headers, ATTEMPT, Integer.toString(attempt));
    }

    /** Sets (replaces) one header. */
    public static Headers put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, utf8(value));
        return headers;
    }

    static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
