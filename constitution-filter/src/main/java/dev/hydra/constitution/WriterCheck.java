package dev.hydra.constitution;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.signing.WriterVerifier;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Checks each requested tool call's crew signature where it arrives, under the key it was written
 * with (the signature covers it; a call keyed by anything but its id is re-keyed on its way to the
 * verdict). The outcome travels in {@link #HEADER}, which this step always replaces, so what the
 * writer put there counts for nothing: {@value #OK}, or {@code refused:} and the reason.
 */
final class WriterCheck<T> implements FixedKeyProcessor<String, T, T> {
    /** Internal to the filter's topology (its repartition topics are the filter's own). */
    static final String HEADER = "hydra-constitution-writer-check";
    static final String OK = "ok";
    static final String REFUSED = "refused:";
    /** Where a refused record was read, {@code topic/partition/offset}: its dead letter names it, not the repartition topic. */
    static final String ORIGIN = "hydra-constitution-writer-origin";

    private final String topic;
    private final WriterVerifier writers;
    private FixedKeyProcessorContext<String, T> context;

    WriterCheck(String topic, WriterVerifier writers) {
        this.topic = topic;
        this.writers = writers;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, T> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, T> record) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        String outcome = writers.refusal(topic, record.key(), headers, record.value()).map(why -> REFUSED + why)
                .orElse(OK);
        EventHeaders.put(headers, HEADER, outcome);
        context.recordMetadata().ifPresentOrElse(
                m -> EventHeaders.put(headers, ORIGIN, m.topic() + "/" + m.partition() + "/" + m.offset()),
                () -> headers.remove(ORIGIN));
        context.forward(record.withHeaders(headers));
    }

    /** Where the checked record was read: topic, partition, offset (the current position if unknown). */
    static String[] origin(Headers headers, String topic, int partition, long offset) {
        String[] parts = EventHeaders.get(headers, ORIGIN).orElse("").split("/", -1);
        if (parts.length == 3) {
            return parts;
        }
        return new String[] {topic, Integer.toString(partition), Long.toString(offset)};
    }

    /** Why the writer check refused the record with these headers, or null if it passed. */
    static String refusal(Headers headers) {
        String outcome = EventHeaders.get(headers, HEADER).orElse(REFUSED + "the crew signature was never checked");
        if (OK.equals(outcome)) {
            return null;
        }
        return outcome.startsWith(REFUSED) ? outcome.substring(REFUSED.length()) : "unreadable writer check '" + outcome + "'";
    }
}
