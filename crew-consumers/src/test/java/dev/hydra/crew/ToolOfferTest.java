package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.crew.agent.AgentCrew;
import dev.hydra.crew.agent.Crews;
import dev.hydra.crew.tools.ToolCatalog;
import dev.hydra.topics.tools.ToolVocabulary;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Agents are offered only tools of the contract's vocabulary, under the servers the constitution judges. */
class ToolOfferTest {
    private static final AgentCrew.Limits LIMITS = new AgentCrew.Limits(4, 4, 1_000, Duration.ofSeconds(5));

    private static Stream<AgentCrew> crews() {
        return Stream.of(Crews.research(null, "m", null, LIMITS), Crews.development(null, "m", null, LIMITS),
                Crews.inferenceOptimization(null, "m", null, LIMITS),
                Crews.selfImprovement(null, "m", null, LIMITS, task -> { }));
    }

    @Test
    void everyToolAnAgentIsOfferedIsOneTheVocabularyOffersUnderItsServer() {
        crews().forEach(crew -> crew.tools().forEach((agent, tools) -> {
            for (String name : tools) {
                ToolCatalog.ToolDef def = ToolCatalog.get(name);
                assertThat(ToolVocabulary.standard().find(def.server(), def.tool())).as(agent + ": " + name)
                        .get().satisfies(kind -> assertThat(kind.offer().orElseThrow().name()).isEqualTo(name));
            }
        }));
    }

    @Test
    void theResearchCrewSearchesThroughTheServerTheConstitutionKnows() {
        Map<String, List<String>> research = Crews.research(null, "m", null, LIMITS).tools();
        assertThat(research.get("web_searcher")).contains("web_search");
        assertThat(ToolCatalog.get("web_search").qualified()).isEqualTo("searxng-mcp.search");
        assertThat(ToolCatalog.get("web_fetch").qualified()).isEqualTo("fetch-mcp.fetch");
    }

    @Test
    void aStageOfferingAToolTheVocabularyDoesNotOfferIsRefused() {
        assertThatThrownBy(() -> new AgentCrew.Stage<>("coder", Object.class, (agent, text) -> text,
                List.of("read_file", "format_disk"), "work"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("coder is offered format_disk").hasMessageContaining("read_file");
    }
}
