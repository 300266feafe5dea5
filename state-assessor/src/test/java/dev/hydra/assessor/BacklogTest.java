package dev.hydra.assessor;

import dev.hydra.topics.events.CdcEvent;
import dev.hydra.topics.memory.Technology;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/** The table view rebuilt from change events, with the memory-projector's column names. */
class BacklogTest {
    private final Backlog backlog = new Backlog(new Backlog.Columns("name", "status",
            Set.of("done", "complete", "completed", "cancelled"), "topic", "resolved", "name", "health_url"));

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put((String) keyValues[i], keyValues[i + 1]);
        }
        return row;
    }

    private static CdcEvent change(String table, String op, int id, Map<String, Object> before,
                                   Map<String, Object> after) {
        return new CdcEvent(table, op, Map.of("id", id), before, after, "lsn=" + id);
    }

    @Test
    void featureIsIncompleteUntilItsStatusSaysDoneAndGoneWhenDeleted() {
        assertThat(backlog.applyFeature("k1", change("features", "r", 1, null, row("id", 1, "name", "dark mode",
                "status", "planned")))).isTrue();
        assertThat(backlog.applyFeature("k2", change("features", "c", 2, null, row("id", 2, "name", "sso",
                "status", "in_progress")))).isTrue();
        assertThat(backlog.incompleteFeatures()).containsExactly("dark mode", "sso");

        assertThat(backlog.applyFeature("k1", change("features", "u", 1, null, row("id", 1, "name", "dark mode",
                "status", "DONE")))).isTrue();
        assertThat(backlog.applyFeature("k2", change("features", "d", 2, row("id", 2, "name", "sso"), null)))
                .isTrue();

        assertThat(backlog.incompleteFeatures()).isEmpty();
    }

    @Test
    void aChangeTheRulesDoNotSeeIsNotAChange() {
        backlog.applyFeature("k", change("features", "c", 3, null, row("id", 3, "name", "sso", "status", "planned")));

        assertThat(backlog.applyFeature("k", change("features", "u", 3, null, row("id", 3, "name", "sso",
                "status", "in_progress", "description", "now with SAML")))).isFalse();
    }

    @Test
    void knowledgeGapIsOpenUntilResolved() {
        backlog.applyKnowledgeGap("a", change("knowledge_gaps", "c", 7, null, row("id", 7, "topic", "RAG eval",
                "resolved", false)));
        backlog.applyKnowledgeGap("b", change("knowledge_gaps", "c", 8, null, row("id", 8, "topic", "KV cache",
                "resolved", null)));
        assertThat(backlog.knowledgeGaps()).containsExactly("KV cache", "RAG eval");

        backlog.applyKnowledgeGap("a", change("knowledge_gaps", "u", 7, null, row("id", 7, "topic", "RAG eval",
                "resolved", true)));

        assertThat(backlog.knowledgeGaps()).containsExactly("KV cache");
    }

    @Test
    void researchFindingsReplaceTheTechnologiesAndAnEmptyBlockClearsThem() {
        assertThat(backlog.applyResearchFindings("evaluate: SGLang")).isTrue();
        assertThat(backlog.applyResearchFindings("evaluate: SGLang")).isFalse();
        assertThat(backlog.technologies()).containsExactly(Technology.named("SGLang"));

        assertThat(backlog.applyResearchFindings("")).isTrue();
        assertThat(backlog.technologies()).isEmpty();
    }

    @Test
    void servicesRegisteredInPostgresAreProbedByTheirHealthUrlOrTcpAddress() {
        backlog.applyService("{\"name\":\"letta\"}", new CdcEvent("services", "c", Map.of("name", "letta"), null,
                row("name", "letta", "health_url", "http://127.0.0.1:8283/v1/health", "status", "unknown"), ""));
        backlog.applyService("{\"name\":\"pg\"}", new CdcEvent("services", "c", Map.of("name", "pg"), null,
                row("name", "pg", "health_url", "tcp://127.0.0.1:5432"), ""));
        backlog.applyService("{\"name\":\"docs\"}", new CdcEvent("services", "c", Map.of("name", "docs"), null,
                row("name", "docs", "health_url", ""), ""));

        assertThat(backlog.registeredServices()).containsExactly(
                ServiceTarget.http("letta", "http://127.0.0.1:8283/v1/health"),
                ServiceTarget.tcp("pg", "127.0.0.1:5432"));

        assertThat(backlog.applyService("{\"name\":\"letta\"}", new CdcEvent("services", "u",
                Map.of("name", "letta"), null, row("name", "letta", "health_url", "http://127.0.0.1:8283/v1/health",
                "status", "healthy"), ""))).as("status is not what is probed").isFalse();
        backlog.applyService("{\"name\":\"pg\"}", new CdcEvent("services", "d", Map.of("name", "pg"),
                row("name", "pg"), null, ""));
        assertThat(backlog.registeredServices()).extracting(ServiceTarget::name).containsExactly("letta");
    }
}
