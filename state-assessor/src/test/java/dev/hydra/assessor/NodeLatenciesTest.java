package dev.hydra.assessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The nodes' announced model latency as the slow-inference rule reads it, against announcements that lie. */
class NodeLatenciesTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    private static NodeAnnouncement node(String name, Instant heartbeat, double p95) {
        return new NodeAnnouncement(name, Crew.RESEARCH, List.of("m"), List.of(), heartbeat,
                NodeAnnouncement.Health.UP, "", 10, p95);
    }

    @Test
    void anAnnouncementDatedInTheFutureStopsCountingOnceItsNodeIsSilent() {
        NodeLatencies.Latest latest = new NodeLatencies.Latest();
        latest.heard(node("honest", NOW, 800), NOW);
        latest.heard(node("forever", Instant.parse("9999-01-01T00:00:00Z"), 90_000), NOW);
        assertThat(latest.p95Ms(NOW.plusSeconds(60))).contains(90_000.0);
        Instant later = NOW.plus(NodeLatencies.LIVE).plusSeconds(1);
        assertThat(latest.p95Ms(later)).as("both silent for longer than LIVE").isEmpty();
        latest.heard(node("honest", later, 700), later);
        assertThat(latest.p95Ms(later)).as("only the node still heard from counts").contains(700.0);
    }

    @Test
    void aLatencyThatIsNotAFiniteNumberIsRefusedNamingTheField() {
        for (double p95 : new double[] {Double.POSITIVE_INFINITY, Double.NaN, -1}) {
            assertThatThrownBy(() -> node("n", NOW, p95)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("modelLatencyP95Ms must be finite numbers, 0 or more");
        }
    }
}
