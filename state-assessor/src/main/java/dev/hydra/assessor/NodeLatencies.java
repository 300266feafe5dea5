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

    private final Latest latest = new Latest();
    private final TopicReader reader;

    NodeLatencies(Properties clientProps) {
        reader = TopicReader.open(clientProps, "hydra-state-assessor-nodes", List.of(Topics.CREW_NODES.name()),
                TopicReader.Start.beginning()).follow("assessor-nodes", this::apply);
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            latest.forget(record.key());
            return;
        }
        latest.heard(Topics.CREW_NODES.valueSerde().deserialize(record.topic(), record.value()), Instant.now());
    }

    /** The highest p95 among nodes heard from within {@link #LIVE} that made model calls. */
    Optional<Double> p95Ms(Instant now) {
        return latest.p95Ms(now);
    }

    /**
     * Each node's last announcement and when it was heard, without Kafka. A node is live by when it
     * was heard, not by the {@code heartbeatAt} it wrote: an announcement dated in the future would
     * otherwise keep its figure (and the slow-inference task it starts) alive for good.
     */
    static final class Latest {
        private record Heard(NodeAnnouncement node, Instant at) {
        }

        private final Map<String, Heard> nodes = new ConcurrentHashMap<>();

        void heard(NodeAnnouncement node, Instant receivedAt) {
            Instant at = node.heartbeatAt().isAfter(receivedAt) ? receivedAt : node.heartbeatAt();
            nodes.put(node.node(), new Heard(node, at));
            nodes.values().removeIf(heard -> heard.at().isBefore(receivedAt.minus(LIVE)));
        }

        void forget(String node) {
            nodes.remove(node);
        }

        Optional<Double> p95Ms(Instant now) {
            return nodes.values().stream().filter(h -> h.node().modelCalls() > 0 && h.at().isAfter(now.minus(LIVE)))
                    .map(h -> h.node().modelLatencyP95Ms()).max(Double::compare);
        }
    }

    boolean healthy() {
        return reader.healthy();
    }

    @Override
    public void close() {
        reader.close();
    }
}
