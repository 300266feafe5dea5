package dev.hydra.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopicsTest {
    @Test
    void catalogHasEveryDesignTopicOnce() {
        assertThat(Topics.all()).extracting(Topic::name).doesNotHaveDuplicates()
                .contains("hydra.state.snapshots", "hydra.tasks.proposed", "hydra.tasks.approved",
                        "hydra.tasks.rejected", "hydra.approvals.requests", "hydra.approvals.decisions", "hydra.audit",
                        "hydra.tasks.status", "hydra.toolcalls.requested", "hydra.toolcalls.approved",
                        "hydra.toolcalls.results", "hydra.tasks.results", "hydra.replay.results", "hydra.memory.blocks", "hydra.dlq",
                        "hydra.crew.research.p1", "hydra.crew.self_improvement.p4", "hydra.control", "hydra.iterations");
        assertThat(Topics.all()).hasSize(18 + 16 + 3);
    }

    @Test
    void auditKeepsAYearAndStateTopicsAreCompacted() {
        assertThat(Topics.AUDIT.retention()).contains(Duration.ofDays(365));
        assertThat(Topics.MEMORY_BLOCKS.compacted()).isTrue();
        assertThat(Topics.APPROVAL_REQUESTS.compacted()).isTrue();
        assertThat(Topics.CREW_NODES.compacted()).isTrue();
        assertThat(Topics.CONTROL.compacted()).isTrue();
        assertThat(Topics.TASKS_PROPOSED.compacted()).isFalse();
    }

    @Test
    void lanesAreNamedByCrewAndPriority() {
        assertThat(Topics.crewLane(Crew.INFRASTRUCTURE, 1).name()).isEqualTo("hydra.crew.infrastructure.p1");
        assertThat(Topics.crewLanes(Crew.DEVELOPMENT)).extracting(Topic::name).containsExactly(
                "hydra.crew.development.p1", "hydra.crew.development.p2", "hydra.crew.development.p3",
                "hydra.crew.development.p4");
    }
}
