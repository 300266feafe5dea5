package dev.hydra.crew;

import dev.hydra.crew.agent.ModelLatency;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.NodeAnnouncement.Health;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's presence in its crew: "I am here" on {@code hydra.crew.nodes} every heartbeat (UP, or
 * DEGRADED with the model endpoint's error), the endpoint probed again while it is down, and the
 * decision to stand aside (leave the group) while it is down and another worker of the crew is UP,
 * so that the lanes and the retries go to a member that can run them. With no such crewmate the
 * worker stays, so that what needs no model still runs and a task that does is handed back with the
 * endpoint's error rather than left waiting unseen.
 */
final class NodePresence {
    private static final Logger LOG = LoggerFactory.getLogger(NodePresence.class);

    private final String worker;
    private final Crew crew;
    private final String node;
    private final List<String> models;
    private final List<String> capabilities;
    private final ModelEndpoint endpoint;
    private final ModelLatency latency;
    private final Crewmates crewmates;
    private final boolean mayStandAside;
    private final EventProducer producer;
    private final Runnable onStandAsideChange;
    private volatile boolean standAside;

    /**
     * @param mayStandAside whether every task of the crew needs the model (see {@link CrewExecutors#allAgents})
     * @param onStandAsideChange wakes the worker's poll loop to join or leave the group
     */
    NodePresence(String worker, Crew crew, String node, List<String> models, List<String> capabilities,
                 ModelEndpoint endpoint, ModelLatency latency, Properties readerProps, Duration heartbeat,
                 boolean mayStandAside, EventProducer producer, Runnable onStandAsideChange) {
        this.latency = latency;
        this.worker = worker;
        this.crew = crew;
        this.node = node;
        this.models = List.copyOf(models);
        this.capabilities = List.copyOf(capabilities);
        this.endpoint = endpoint;
        this.crewmates = new Crewmates(readerProps, crew, node, heartbeat);
        this.mayStandAside = mayStandAside;
        this.producer = producer;
        this.onStandAsideChange = onStandAsideChange;
        // Before joining: a worker that starts with a dead endpoint next to a healthy member never takes its lanes.
        endpoint.probe();
        standAside = shouldStandAside();
    }

    /** Announces now and every {@code heartbeat}; checks the endpoint every {@code probeInterval}. */
    void schedule(ScheduledExecutorService scheduler, Duration heartbeat, Duration probeInterval) {
        scheduler.scheduleAtFixedRate(this::announce, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(this::checkEndpoint, probeInterval.toMillis(), probeInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    boolean standAside() {
        return standAside;
    }

    private void checkEndpoint() {
        try {
            if (endpoint.down().isPresent()) {
                endpoint.probe();
            }
            boolean aside = shouldStandAside();
            if (aside != standAside) {
                standAside = aside;
                onStandAsideChange.run();
            }
            announce();
        } catch (RuntimeException e) {
            LOG.warn("{}: checking the model endpoint failed: {}", worker, e.getMessage());
        }
    }

    private boolean shouldStandAside() {
        return mayStandAside && endpoint.down().isPresent() && crewmates.upElsewhere();
    }

    /** "I am here" on hydra.crew.nodes, so the router can route to this node. */
    private void announce() {
        try {
            ModelLatency.Figures figures = latency.figures();
            producer.send(Topics.CREW_NODES, node, new NodeAnnouncement(node, crew, models, capabilities, Instant.now(),
                    endpoint.down().isPresent() ? Health.DEGRADED : Health.UP, endpoint.down().orElse(""),
                    figures.calls(), figures.p95Ms()), null);
        } catch (RuntimeException e) {
            LOG.warn("{}: node announcement failed: {}", worker, e.getMessage());
        }
    }
}
