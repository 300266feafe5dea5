package dev.hydra.topics;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The source of every Streams topology: reads a topic as bytes, parses each value with the topic's
 * serde, and sends what does not parse to {@code hydra.dlq} (inside the same exactly-once
 * transaction) with headers naming the source position and the error. A poison pill therefore
 * never stops the application, and nothing is lost.
 */
public final class ParsedStream {

    private ParsedStream() {
    }

    /** The parsed values of {@code topic}; invalid ones go to the dead-letter topic. */
    public static <T> KStream<String, T> from(StreamsBuilder builder, Topic<T> topic, String application) {
        String prefix = topic.name() + "-";
        KStream<String, Parsed<T>> parsed = builder
                .stream(topic.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(prefix + "source"))
                .process(() -> new ParseProcessor<>(topic, application), Named.as(prefix + "parse"));
        parsed.filter((key, value) -> value.value() == null, Named.as(prefix + "invalid"))
                .mapValues(Parsed::raw, Named.as(prefix + "raw"))
                .to(Topics.DLQ.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName(prefix + "dlq"));
        return parsed.filter((key, value) -> value.value() != null, Named.as(prefix + "valid"))
                .mapValues(Parsed::value, Named.as(prefix + "value"));
    }

    /** A value, or the raw bytes that failed to become one. */
    record Parsed<T>(T value, byte[] raw) {
    }

    private static final class ParseProcessor<T> implements Processor<String, byte[], String, Parsed<T>> {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ParsedStream.class);
        private final Topic<T> topic;
        private final String application;
        private ProcessorContext<String, Parsed<T>> context;

        ParseProcessor(Topic<T> topic, String application) {
            this.topic = topic;
            this.application = application;
        }

        @Override
        public void init(ProcessorContext<String, Parsed<T>> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> record) {
            T value;
            try {
                tooLarge(record);
                value = topic.valueSerde().deserialize(topic.name(), record.value());
                if (value == null) {
                    throw new InvalidEventException(topic.valueSerde().eventType() + ": null value (tombstone) is not an event");
                }
                value = admitted(record.key(), record.value(), value);
            } catch (RuntimeException e) {
                RecordMetadata position = context.recordMetadata().orElseThrow();
                LOG.warn("{}: dead-lettering {}-{}@{}: {}", application, position.topic(), position.partition(),
                        position.offset(), DeadLetters.describe(e));
                var headers = DeadLetters.headers(position.topic(), position.partition(), position.offset(), e,
                        application);
                byte[] kept = DeadLetters.fit(record.key() == null ? null
                        : record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), record.value(),
                        record.headers(), headers);
                context.forward(record.withValue(new Parsed<T>(null, kept)).withHeaders(headers));
                return;
            }
            // Outside the try: a failure downstream is not a bad value. It must fail the task (and
            // abort the transaction), not dead-letter a valid event after part of its outputs were sent.
            context.forward(record.withValue(new Parsed<>(value, null)));
        }

        /**
         * A record whose outputs would not fit the broker's limit is refused before it is read: what a
         * processor makes of a value (the approved item with its signature, its audit record, its dead
         * letter) carries more headers than the value came with, and an output the producer refuses
         * fails the stream thread on it again and again, until the application shuts down.
         */
        private static void tooLarge(Record<String, byte[]> record) {
            long size = (record.value() == null ? 0 : record.value().length)
                    + (record.key() == null ? 0 : record.key().length() * 4L);
            for (org.apache.kafka.common.header.Header header : record.headers()) {
                size += header.key().length() * 4L + (header.value() == null ? 0 : header.value().length);
            }
            if (size > DeadLetters.MAX_INPUT_BYTES) {
                throw new InvalidEventException("the record is " + size + " bytes (value, key and headers); at most "
                        + DeadLetters.MAX_INPUT_BYTES + " are taken, so that what is made of it fits the broker's limit");
            }
        }

        /** Topics open to outside producers interpret the key too (see {@link TaskEntrance}). */
        @SuppressWarnings("unchecked")
        private T admitted(String key, byte[] raw, T value) {
            return topic.equals(Topics.TASKS_PROPOSED) ? (T) TaskEntrance.admit(key, raw, (dev.hydra.topics.events.Task) value)
                    : value;
        }
    }
}
