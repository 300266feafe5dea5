package dev.hydra.constitution.rules;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.ToolCall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crews' memory tools: autonomous under the agent_memory operation, except that what is
 * remembered is read into every later prompt, so a secret in it is judged as a secret that leaves.
 */
class MemoryToolsJudgedTest {
    private static final Constitution CONSTITUTION = Constitution.load(Cases.CONSTITUTION);

    private static Ruling check(String tool, Map<String, Object> arguments) {
        return CONSTITUTION.check(new ToolCall(null, "task-1", Crew.RESEARCH, "web_searcher", "memory", tool, arguments,
                List.of(), null));
    }

    @Test
    void rememberingAndSearchingAreAutonomous() {
        assertThat(check("core_memory_append", Map.of("block", "research_findings",
                "text", "evaluate vLLM 0.8: continuous batching")).decision()).isEqualTo(Decision.ALLOW);
        assertThat(check("core_memory_replace", Map.of("block", "research_findings", "old_text", "0.8",
                "new_text", "0.9")).decision()).isEqualTo(Decision.ALLOW);
        assertThat(check("archival_memory_insert", Map.of("text", "LLM usage: max_tokens 512, token_count 9000"))
                .decision()).isEqualTo(Decision.ALLOW);
        assertThat(check("archival_memory_search", Map.of("query", "kafka quorum")).decision())
                .isEqualTo(Decision.ALLOW);
        assertThat(check("recall_search", Map.of("query", "letta restarts")).decision()).isEqualTo(Decision.ALLOW);
    }

    @Test
    void aSecretKeptInMemoryIsDenied() {
        Ruling appended = check("core_memory_append", Map.of("block", "research_findings",
                "text", "grafana: admin password is in GF_SECURITY_ADMIN_PASSWORD=Sup3rS3cretPass!"));
        assertThat(appended.decision()).isEqualTo(Decision.DENY);
        assertThat(appended.constraint()).isEqualTo("never_expose_secrets");
        assertThat(check("archival_memory_insert", Map.of("text", "openai key sk-proj-4f9aQ2mZ7xR1tY8uI3oP6aS5dF0gH2jK"))
                .decision()).isEqualTo(Decision.DENY);
    }

    @Test
    void anArgumentTheToolDoesNotHaveOrATextThatIsNotOneNeedsAPerson() {
        assertThat(check("core_memory_append", Map.of("block", "research_findings", "text", "x",
                "writer", "orchestrator")).decision()).isEqualTo(Decision.NEEDS_APPROVAL);
        assertThat(check("core_memory_append", Map.of("block", List.of("research_findings", "hydra_state"),
                "text", "x")).decision()).isEqualTo(Decision.NEEDS_APPROVAL);
        assertThat(check("forget_everything", Map.of()).decision()).isEqualTo(Decision.NEEDS_APPROVAL);
    }
}
