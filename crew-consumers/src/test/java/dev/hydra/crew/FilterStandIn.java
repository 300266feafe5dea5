package dev.hydra.crew;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.TestSigning;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Plays the constitution filter on the real broker (that module cannot be a dependency of this
 * one): requested tool calls matching {@code denied} get a DENIED result, the others are forwarded to
 * {@code hydra.toolcalls.approved}, signed with the test key, as the filter's topology does.
 */
final class FilterStandIn implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final EventProducer producer;
    private final Predicate<ToolCall> denied;
    private final Thread thread;
    final List<ToolCall> requested = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    FilterStandIn(KafkaTestCluster cluster, Predicate<ToolCall> denied) {
        this.consumer = cluster.consumer(Topics.TOOLCALLS_REQUESTED.name());
        this.producer = new EventProducer(cluster.clientProps(), "filter-stand-in");
        this.denied = denied;
        this.thread = new Thread(this::run, "filter-stand-in");
        thread.start();
    }

    private void run() {
        while (running) {
            for (ConsumerRecord<String, byte[]> record : KafkaTestCluster.poll(consumer)) {
                ToolCall call = Topics.TOOLCALLS_REQUESTED.valueSerde().deserialize(record.topic(), record.value());
                requested.add(call);
                if (denied.test(call)) {
                    producer.send(Topics.TOOLCALLS_RESULTS, call.id(), new ToolResult(call.id(), call.taskId(),
                            ToolStatus.DENIED, "never_modify_network: " + call.qualifiedTool()
                            + " changes firewall rules", Instant.now()), call.taskId());
                } else {
                    producer.sendWithHeaders(Topics.TOOLCALLS_APPROVED, record.key(), call,
                            TestSigning.signed(EventHeaders.of(Topics.TOOLCALLS_APPROVED, call.taskId()), call));
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
        consumer.close();
        producer.close();
    }
}
