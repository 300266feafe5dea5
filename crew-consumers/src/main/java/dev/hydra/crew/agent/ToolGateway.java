package dev.hydra.crew.agent;

import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import java.time.Duration;
import java.util.Optional;

/**
 * How an agent's tool call leaves the agent: in Hydra it goes over Kafka through the constitution
 * ({@link KafkaToolGateway}); the agent logic only knows this interface.
 */
public interface ToolGateway {
    /**
     * Sends the call and waits for its result (OK, ERROR, or DENIED by the constitution).
     *
     * @return the result, or empty when none came within {@code timeout}
     */
    Optional<ToolResult> call(ToolCall call, Duration timeout) throws InterruptedException;
}
