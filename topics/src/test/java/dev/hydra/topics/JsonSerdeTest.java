package dev.hydra.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.events.ApprovalDecision;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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

    @Test
    void rejectsAHugeIdOrNameOnEveryEntranceTopicNamingTheField() {
        String huge = "x".repeat(200_000);
        assertThatThrownBy(() -> read(SEED_TASK.replace("\"id\": \"3f1c\"", "\"id\": \"" + huge + "\"")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> read(SEED_TASK.replace("\"state-assessor\"", "\"" + huge + "\"")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("source");
        String call = """
                {"id": "c1", "taskId": "t1", "crew": "development", "server": "filesystem-mcp", "tool": "read_file",
                 "arguments": {"path": "/workspace/a"}}""";
        assertThatThrownBy(() -> Topics.TOOL_CALL.fromJson(call.replace("\"read_file\"", "\"" + huge + "\"")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("tool");
        String decision = """
                {"requestId": "r1", "contentSha256": "ab12", "approve": true, "by": "admin", "reason": "ok"}""";
        assertThatThrownBy(() -> Topics.APPROVAL_DECISIONS.valueSerde().fromJson(
                decision.replace("\"ok\"", "\"" + huge + "\"")))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("reason");
        assertThat(Topics.TOOL_CALL.fromJson(call).tool()).isEqualTo("read_file");
    }

    @Test
    void boundsIdsAndNamesAlsoForEventsBuiltInCode() {
        String huge = "x".repeat(1_001);
        assertThatThrownBy(() -> new Task(huge, null, 3, 0, "d", Crew.RESEARCH, Map.of("action", "a"), List.of(),
                List.of(), null, null)).hasMessage("id must be at most 1000 characters, was 1001");
        assertThatThrownBy(() -> new ToolCall("c1", "t1", Crew.DEVELOPMENT, "coder", "shell", huge, Map.of(), List.of(),
                null)).hasMessage("tool must be at most 1000 characters, was 1001");
        assertThatThrownBy(() -> new ApprovalDecision("r1", "ab12", true, huge, "", null))
                .hasMessage("by must be at most 1000 characters, was 1001");
    }
}
