package dev.hydra.topics.signing;

import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What an executor of approved tool calls (the tool executor, the memory projector for server
 * {@code memory}) does with a call it must not run: the record goes to {@code hydra.dlq} with the
 * reason, and a REFUSED answer tells the agent and, through the filter, the audit. And the answer to
 * a dry-run call, which is never run.
 */
public final class RefusedCalls {
    private RefusedCalls() {
    }

    /** Dead-letters {@code record} and answers {@code call} REFUSED, both acknowledged before it returns. */
    public static void refuse(EventProducer producer, ConsumerRecord<byte[], byte[]> record, ToolCall call,
                              String reason, String source) throws InterruptedException {
        acknowledged(producer.sendRaw(DeadLetters.of(record, new UnverifiedRecordException(reason), source)));
        acknowledged(producer.send(Topics.TOOLCALLS_RESULTS, call.id(),
                new ToolResult(call.id(), call.taskId(), ToolStatus.REFUSED, reason, Instant.now()), call.taskId()));
    }

    /** The answer to a call of a dry-run replay: approved by the constitution, not executed. */
    public static ToolResult dryRun(ToolCall call, Instant at) {
        return new ToolResult(call.id(), call.taskId(), ToolStatus.OK, "dry run: " + call.qualifiedTool()
                + " was approved by the constitution and not executed", at);
    }

    /** Waits for the broker's acknowledgement of a tool-call answer or dead letter. */
    public static void acknowledged(Future<?> sent) throws InterruptedException {
        try {
            sent.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write a tool call's answer: " + e.getMessage(), e);
        }
    }
}
