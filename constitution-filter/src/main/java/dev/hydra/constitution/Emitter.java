package dev.hydra.constitution;

import dev.hydra.topics.EventHeaders;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Forwards emissions with Hydra's headers (fresh per record) and counts what reaches the task topics. */
final class Emitter {
    private final ProcessorContext<String, Emission> context;

    Emitter(ProcessorContext<String, Emission> context) {
        this.context = context;
    }

    void emit(String key, Emission emission, String correlationId, long timestamp) {
        Headers headers = EventHeaders.of(emission.topic(), correlationId);
        if (emission.signature() != null) {
            EventHeaders.put(headers, EventHeaders.SIGNATURE, emission.signature().header());
        }
        if (emission.reason() != null) {
            String reason = emission.reason();
            EventHeaders.put(headers, EventHeaders.REASON, reason.length() <= EventHeaders.MAX_REASON ? reason
                    : reason.substring(0, EventHeaders.MAX_REASON - 1) + "…");
        }
        context.forward(new Record<>(key, emission, timestamp, headers));
        FilterMetrics.emitted(emission.topic());
    }
}
