package dev.hydra.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.Task;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
    private static final String SEED_TASK = """
            {"id": "3f1c", "type": "infrastructure", "priority": 1, "impact": 80,
             "description": "Fix failed service: letta", "crew": "infrastructure",
             "task": {"action": "restart_service", "service": "letta"},
             "resources": ["service:letta"], "requires": [], "source": "state-assessor",
             "createdAt": "2026-11-24T05:00:00Z"}""";

    private Task read(String json) {
        return Topics.TASK.deserialize("t", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheDocumentedTaskShapeAndWritesItBack() {
        Task task = read(SEED_TASK);
        assertThat(task.crew()).isEqualTo(Crew.INFRASTRUCTURE);
        assertThat(task.action()).isEqualTo("restart_service");
        assertThat(task.task()).containsEntry("service", "letta");
        assertThat(task.createdAt()).hasToString("2026-11-24T05:00:00Z");
        Task again = read(new String(Topics.TASK.serialize("t", task), StandardCharsets.UTF_8));
        assertThat(again).isEqualTo(task);
        assertThat(Json.write(task)).contains("\"crew\":\"infrastructure\"").contains("\"createdAt\":\"2026-11-24T05:00:00Z\"");
    }

    @Test
    void aReplayedCopyCarriesItsRunAndLiveWorkCarriesNoReplayField() {
        Task live = read(SEED_TASK);
        Task copy = live.replayed("run-1:3f1c", new Replay("run-1", "3f1c", true), live.createdAt());

        assertThat(Json.write(live)).doesNotContain("replay");
        Task again = read(new String(Topics.TASK.serialize("t", copy), StandardCharsets.UTF_8));
        assertThat(again).isEqualTo(copy);
        assertThat(again.replay()).isEqualTo(new Replay("run-1", "3f1c", true));
        assertThatThrownBy(() -> read(SEED_TASK.replace("\"createdAt\"", "\"replay\": {\"runId\": \"r\"}, \"createdAt\"")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("of");
    }

    @Test
    void fillsInWhatAnOutsideProducerMayLeaveOut() {
        Task task = read("""
                {"priority": 3, "description": "Research: vector dbs", "crew": "research",
                 "task": {"action": "research_topic", "topic": "vector dbs"}}""");
        assertThat(task.id()).isNotBlank();
        assertThat(task.type()).isEqualTo("research");
        assertThat(task.resources()).isEmpty();
        assertThat(task.createdAt()).isNotNull();
    }

    @Test
    void rejectsAnUnknownCrewNamingTheAllowedValues() {
        assertThatThrownBy(() -> read(SEED_TASK.replace("\"crew\": \"infrastructure\"", "\"crew\": \"marketing\"")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("crew")
                .hasMessageContaining("research");
    }

    @Test
    void rejectsAPriorityOutOfRangeNamingTheField() {
        assertThatThrownBy(() -> read(SEED_TASK.replace("\"priority\": 1", "\"priority\": 9")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("priority");
    }

    @Test
    void rejectsATaskWithoutAnAction() {
        assertThatThrownBy(() -> read(SEED_TASK.replace("\"action\": \"restart_service\",", "")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("action");
    }

    @Test
    void rejectsTruncatedJsonAndWrongTypes() {
        assertThatThrownBy(() -> read(SEED_TASK.substring(0, 40)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> read(SEED_TASK.replace("\"priority\": 1", "\"priority\": \"high\"")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("priority");
        assertThatThrownBy(() -> read("[1,2,3]")).isInstanceOf(InvalidEventException.class);
    }
}
