package dev.hydra.assessor;

import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.NodeAnnouncement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The model-call latency the crew nodes announce on {@code hydra.crew.nodes} (each node's p95 over
 * its last calls): the slowest live node's p95 is the snapshot's {@code inference_latency_p95} when no
 * Prometheus query measured it, so the seed's slow-inference rule works on the embedded stack.
 */
final class NodeLatencies implements AutoCloseable {
    /** A node silent for longer is gone; its figure no longer counts. */
    static final Duration LIVE = Duration.ofMinutes(10);

    private final Map<String, NodeAnnouncement> nodes = new ConcurrentHashMap<>();
    private final TopicReader reader;

    NodeLatencies(Properties clientProps) {
        reader = TopicReader.open(clientProps, "hydra-state-assessor-nodes", List.of(Topics.CREW_NODES.name()),
                TopicReader.Start.beginning()).follow("assessor-nodes", this::apply);
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            nodes.remove(record.key());
            return;
        }
        NodeAnnouncement node = Topics.CREW_NODES.valueSerde().deserialize(record.topic(), record.value());
        nodes.put(node.node(), node);
    }

    /** The highest p95 among nodes heard from within {@link #LIVE} that made model calls. */
    Optional<Double> p95Ms(Instant now) {
        return nodes.values().stream().filter(n -> n.modelCalls() > 0 && n.heartbeatAt().isAfter(now.minus(LIVE)))
                .map(NodeAnnouncement::modelLatencyP95Ms).max(Double::compare);
    }

    boolean healthy() {
        return reader.healthy();
    }

    @Override
    public void close() {
        reader.close();
    }
}
