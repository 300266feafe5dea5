package dev.hydra.crew.agent;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tool calls over Kafka: a call goes to {@code hydra.toolcalls.requested} keyed by its id (the
 * constitution rules on each call on its id's partition, so a call keyed otherwise would first cross a
 * repartition topic: a second exactly-once commit on every call's way), and its answer is
 * the {@link ToolResult} with the same id on {@code hydra.toolcalls.results}: OK or ERROR from the
 * tool executor, or DENIED straight from the constitution filter. Results are read by one
 * {@link TopicReader} (no group: each worker needs only the answers to its own calls).
 */
public final class KafkaToolGateway implements ToolGateway, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaToolGateway.class);

    private final EventProducer producer;
    private final Map<String, CompletableFuture<ToolResult>> pending = new ConcurrentHashMap<>();
    private final TopicReader reader;

    public KafkaToolGateway(Properties kafkaClientProps, EventProducer producer, String clientId) {
        this.producer = producer;
        // From the end offsets of now: no result of a call sent after this constructor is skipped.
        this.reader = TopicReader.open(kafkaClientProps, clientId + "-toolresults",
                List.of(Topics.TOOLCALLS_RESULTS.name()), TopicReader.Start.end())
                .follow(clientId + "-toolresults", this::answer);
    }

    @Override
    public Optional<ToolResult> call(ToolCall call, Duration timeout) throws InterruptedException {
        CompletableFuture<ToolResult> answer = pending.computeIfAbsent(call.id(), id -> new CompletableFuture<>());
        try {
            var sent = producer.send(Topics.TOOLCALLS_REQUESTED, call.id(), call, call.taskId());
            // The agent waits for this call: send it now rather than after the producer's linger.
            producer.flush();
            sent.get(30, TimeUnit.SECONDS);
            return Optional.of(answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send tool call " + call.id() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } finally {
            pending.remove(call.id());
        }
    }

    private void answer(ConsumerRecord<String, byte[]> record) {
        CompletableFuture<ToolResult> waiting = record.key() == null ? null : pending.get(record.key());
        if (waiting == null) {
            return; // another worker's call, or one nobody waits for any more
        }
        ToolResult result = Topics.TOOLCALLS_RESULTS.valueSerde().deserialize(record.topic(), record.value());
        if (result.status() == ToolStatus.REFUSED) {
            // Anyone who read the call's id can put an unsigned copy on the approved topic; its
            // refusal must not answer the real call, whose signed release may still come.
            LOG.warn("a copy of tool call {} was refused by the executor ({}); waiting for the "
                    + "constitution's signed release", record.key(), result.output());
            return;
        }
        waiting.complete(result);
    }

    @Override
    public void close() {
        reader.close();
    }
}
