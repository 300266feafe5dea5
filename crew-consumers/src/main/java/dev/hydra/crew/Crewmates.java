package dev.hydra.crew;

import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether another worker of the crew can work now: one that announced itself UP on
 * {@code hydra.crew.nodes} within the last few heartbeats. A worker whose model endpoint is down
 * leaves the lanes to such a crewmate, and keeps them when every crewmate is down too (standing
 * aside for a worker that cannot run the tasks either would only stop the ones that need no model).
 * Asked only while the endpoint is down, every probe interval.
 */
final class Crewmates {
    private static final Logger LOG = LoggerFactory.getLogger(Crewmates.class);
    /** Announcements are repeated every heartbeat: a node silent for this many is not counted. */
    private static final int HEARTBEATS = 3;

    private final Properties clientProps;
    private final Crew crew;
    private final String self;
    private final Duration window;

    Crewmates(Properties clientProps, Crew crew, String self, Duration heartbeat) {
        this.clientProps = clientProps;
        this.crew = crew;
        this.self = self;
        this.window = heartbeat.multipliedBy(HEARTBEATS);
    }

    /** True if another node of the crew announced itself UP recently; false when that cannot be told. */
    boolean upElsewhere() {
        Instant since = Instant.now().minus(window);
        Map<String, NodeAnnouncement> latest = new HashMap<>();
        try {
            TopicReader.read(clientProps, Topics.CREW_NODES.name(), Optional.of(since), Duration.ofSeconds(5), record -> {
                try {
                    latest.put(record.key(), Topics.CREW_NODES.valueSerde().deserialize(record.topic(), record.value()));
                } catch (RuntimeException e) {
                    // an unreadable announcement says nothing about a crewmate
                }
                return true;
            });
        } catch (RuntimeException e) {
            LOG.debug("{}: cannot read {}: {}", self, Topics.CREW_NODES.name(), e.getMessage());
            return false;
        }
        return latest.values().stream().anyMatch(node -> node != null && node.crew() == crew
                && !node.node().equals(self) && node.up() && node.heartbeatAt().isAfter(since));
    }
}
