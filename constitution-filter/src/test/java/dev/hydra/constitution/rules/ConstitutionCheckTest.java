package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.Json;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code hydra constitution check}: one verdict per input line, in order; exit 2 on unreadable input. */
class ConstitutionCheckTest {
    private static Constitution constitution;

    @BeforeAll
    static void load() {
        constitution = Constitution.load(Cases.CONSTITUTION);
    }

    @Test
    void writesOneVerdictPerLineInOrderAndExitsZeroEvenWhenDenied() {
        String input = String.join("\n",
                "{\"id\":\"t1\",\"priority\":2,\"description\":\"Fix failed service: letta\",\"crew\":\"infrastructure\","
                        + "\"task\":{\"action\":\"restart_service\",\"service\":\"letta\"}}",
                "{\"id\":\"c1\",\"taskId\":\"t1\",\"crew\":\"development\",\"server\":\"postgres-mcp\","
                        + "\"tool\":\"execute_sql\",\"arguments\":{\"sql\":\"DROP/**/DATABASE hydra\"}}",
                "",
                "{\"id\":\"c2\",\"taskId\":\"t1\",\"crew\":\"development\",\"server\":\"filesystem-mcp\","
                        + "\"tool\":\"write_file\",\"arguments\":{\"path\":\"config/constitution.yaml\",\"content\":\"x\"}}");
        StringWriter out = new StringWriter();
        int code = ConstitutionCheck.run(new BufferedReader(new StringReader(input)), out, constitution);

        assertThat(code).isEqualTo(0);
        List<JsonNode> verdicts = out.toString().lines().map(Json::parse).toList();
        assertThat(verdicts).extracting(v -> v.get("id").asText()).containsExactly("t1", "c1", "c2");
        assertThat(verdicts).extracting(v -> v.get("verdict").asText())
                .containsExactly("ALLOW", "NEEDS_APPROVAL", "DENY");
        assertThat(verdicts.get(1).get("constraint").asText()).isEqualTo("never_delete_databases");
        assertThat(verdicts.get(2).get("constraint").asText()).isEqualTo("never_modify_constitution");
        assertThat(verdicts).allSatisfy(v -> {
            assertThat(v.get("constitutionSha256").asText()).isEqualTo(constitution.sha256());
            assertThat(v.fieldNames()).toIterable()
                    .containsExactlyInAnyOrder("id", "verdict", "constraint", "reason", "constitutionSha256");
        });
    }

    @Test
    void exitsTwoNamingTheLineOfInvalidJson() {
        String input = "{\"id\":\"t1\",\"priority\":3,\"description\":\"x\",\"crew\":\"research\",\"task\":{\"action\":\"research\"}}\n"
                + "{not json\n";
        StringWriter out = new StringWriter();
        assertThat(ConstitutionCheck.run(new BufferedReader(new StringReader(input)), out, constitution)).isEqualTo(2);
        assertThat(out.toString()).contains("\"id\":\"t1\"").contains("line 2:").contains("not JSON");
    }

    @Test
    void exitsTwoNamingTheLineAndFieldOfAnInvalidItem() {
        String input = "{\"taskId\":\"t\",\"crew\":\"pirates\",\"server\":\"shell\",\"tool\":\"run\"}\n";
        StringWriter out = new StringWriter();
        assertThat(ConstitutionCheck.run(new BufferedReader(new StringReader(input)), out, constitution)).isEqualTo(2);
        assertThat(out.toString()).startsWith("line 1:").contains("crew");
    }

    @Test
    void exitsTwoOnALineThatIsNeitherTaskNorToolCall() {
        StringWriter out = new StringWriter();
        assertThat(ConstitutionCheck.run(new BufferedReader(new StringReader("{\"hello\":1}\n")), out, constitution))
                .isEqualTo(2);
        assertThat(out.toString()).startsWith("line 1:").contains("neither a tool call");
    }
}
