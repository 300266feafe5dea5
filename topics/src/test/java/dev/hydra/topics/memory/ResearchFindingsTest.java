package dev.hydra.topics.memory;

import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class ResearchFindingsTest {
    @Test
    void readsTheSeedsJsonShapeWithObjectsAndPlainNames() {
        String block = """
                {"technologies_to_evaluate": [{"name": "vLLM 0.8", "url": "https://docs.vllm.ai"}, "SGLang",
                 {"reason": "no name, skipped"}], "notes": "ignored"}""";

        assertThat(ResearchFindings.technologiesToEvaluate(block)).containsExactly(
                new Technology("vLLM 0.8", Map.of("url", "https://docs.vllm.ai")), Technology.named("SGLang"));
    }

    @Test
    void readsEvaluateLinesFromFreeTextAndIgnoresNotes() {
        String block = """
                Findings this week: KV-cache quantization looks promising.
                - evaluate: llama.cpp RPC
                Evaluate: ExLlamaV3
                * evaluate: llama.cpp rpc
                """;

        assertThat(ResearchFindings.technologiesToEvaluate(block)).extracting(Technology::name)
                .containsExactly("llama.cpp RPC", "ExLlamaV3");
    }

    @Test
    void readsEntriesKeyedEvaluateNameAsTheMemoryProjectorRendersThem() {
        String block = """
                evaluate SGLang: RadixAttention prefix caching
                evaluate: vLLM 0.8: faster prefill
                we should evaluate the options carefully
                evaluated ExLlama last week: too slow
                """;

        assertThat(ResearchFindings.technologiesToEvaluate(block)).containsExactly(
                new Technology("SGLang", Map.of("reason", "RadixAttention prefix caching")),
                new Technology("vLLM 0.8", Map.of("reason", "faster prefill")));
    }

    @Test
    void brokenJsonOrAnEmptyBlockNamesNothing() {
        assertThat(ResearchFindings.technologiesToEvaluate("{\"technologies_to_evaluate\": [")).isEmpty();
        assertThat(ResearchFindings.technologiesToEvaluate("")).isEmpty();
        assertThat(ResearchFindings.technologiesToEvaluate(null)).isEmpty();
    }

    @Test
    void aBlockFullOfEvaluateLinesNamesAtMostTenTheFirstOnes() {
        StringBuilder block = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            block.append("evaluate tech").append(i).append(": r\n");
        }
        assertThat(ResearchFindings.technologiesToEvaluate(block.toString())).extracting(Technology::name)
                .hasSize(ResearchFindings.MAX_TECHNOLOGIES).startsWith("tech0").endsWith("tech9");
        StringBuilder json = new StringBuilder("{\"technologies_to_evaluate\": [\"a\"");
        for (int i = 0; i < 150; i++) {
            json.append(", \"j").append(i).append('"');
        }
        assertThat(ResearchFindings.technologiesToEvaluate(json.append("]}").toString()))
                .hasSize(ResearchFindings.MAX_TECHNOLOGIES);
    }
}
