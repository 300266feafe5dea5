package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.crew.agent.KafkaToolGateway;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent's side of a tool call on a real broker: the call is keyed by its id (the constitution
 * rules on each call on its id's partition; any other key sends every call through a repartition
 * topic, a second exactly-once commit), and the answer with the call's id is what the agent gets.
 */
@ExtendWith(TestBroker.class)
class KafkaToolGatewayTest {

    private static ToolCall readOf(String path) {
        return new ToolCall(UUID.randomUUID().toString(), "task-" + UUID.randomUUID(), Crew.DEVELOPMENT, "tester",
                "filesystem-mcp", "read_file", Map.of("path", path), List.of("path:" + path), Instant.now());
    }

    @Test
    void aCallOnAResourceIsKeyedByItsIdAndAnsweredByTheResultWithThatId() throws Exception {
        KafkaTestCluster cluster = TestBroker.get();
        try (EventProducer producer = new EventProducer(cluster.clientProps(), "gateway-test");
             KafkaToolGateway gateway = new KafkaToolGateway(cluster.clientProps(), producer, "gateway-test");
             KafkaConsumer<String, byte[]> requested = cluster.consumer(Topics.TOOLCALLS_REQUESTED.name())) {
            ToolCall call = readOf("/workspace/README.md");
            CompletableFuture<Optional<ToolResult>> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return gateway.call(call, Duration.ofSeconds(45));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(45)).until(() -> {
                seen.addAll(KafkaTestCluster.poll(requested));
                return seen.stream().anyMatch(r -> Topics.TOOLCALLS_REQUESTED.valueSerde()
                        .deserialize(r.topic(), r.value()).id().equals(call.id()));
            });
            ConsumerRecord<String, byte[]> sent = seen.stream().filter(r -> Topics.TOOLCALLS_REQUESTED.valueSerde()
                    .deserialize(r.topic(), r.value()).id().equals(call.id())).findFirst().orElseThrow();
            assertThat(sent.key()).as("the record key of a call on %s", call.resources()).isEqualTo(call.id());

            // Another call's answer does not answer this one; its own does.
            producer.send(Topics.TOOLCALLS_RESULTS, "other-" + call.id(), new ToolResult("other-" + call.id(),
                    call.taskId(), ToolStatus.OK, "not yours", Instant.now()), call.taskId()).get();
            producer.send(Topics.TOOLCALLS_RESULTS, call.id(), new ToolResult(call.id(), call.taskId(), ToolStatus.OK,
                    "# readme", Instant.now()), call.taskId()).get();
            assertThat(answer.get()).map(ToolResult::output).contains("# readme");
        }
    }
}
