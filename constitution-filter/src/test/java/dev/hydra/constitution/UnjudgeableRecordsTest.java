package dev.hydra.constitution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.constitution.rules.PathologicalInputs;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A record the rules cannot judge (one that once ran the checker out of heap or stack) is parked with
 * its reason (or denied, when what can be read already touches an absolute), and the stream goes on: the next record still gets its verdict. Before the budgets, a
 * brace bomb stopped the filter with an OutOfMemoryError and the filter met it again on restart.
 */
class UnjudgeableRecordsTest {
    private FilterDriver filter;

    @BeforeEach
    void start() {
        filter = new FilterDriver();
    }

    @AfterEach
    void stop() {
        filter.close();
    }

    @Test
    void parksABraceBombWithItsReasonAndStillAllowsTheNextToolCall() {
        filter.request(FilterDriver.toolCall("bomb", "shell", "run", PathologicalInputs.all().get(0).arguments()));
        filter.request(FilterDriver.harmlessToolCall("next"));

        ApprovalRequest parked = filter.onlyRequest();
        assertThat(parked.subjectId()).isEqualTo("bomb");
        assertThat(parked.reason()).startsWith("too complex to judge: brace expansion");
        assertThat(filter.values(Topics.TOOLCALLS_APPROVED)).extracting(ToolCall::id).containsExactly("next");
        assertThat(filter.deadLetters()).isEmpty();
    }

    @Test
    void givesEveryPathologicalToolCallOneVerdictAndStillAllowsTheNextHarmlessOne() {
        List<PathologicalInputs.Input> inputs = PathologicalInputs.all();
        for (int i = 0; i < inputs.size(); i++) {
            PathologicalInputs.Input input = inputs.get(i);
            int dot = input.tool().indexOf('.');
            filter.request(FilterDriver.toolCall("bomb-" + i, input.tool().substring(0, dot),
                    input.tool().substring(dot + 1), input.arguments()));
            filter.request(FilterDriver.harmlessToolCall("next-" + i));

            // one verdict each: parked for a person, denied, or (a harmless value in a strange shape) allowed
            List<ApprovalRequest> parked = filter.values(Topics.APPROVAL_REQUESTS);
            List<ToolResult> denied = filter.values(Topics.TOOLCALLS_RESULTS);
            List<String> approved = filter.values(Topics.TOOLCALLS_APPROVED).stream().map(ToolCall::id).toList();
            assertThat(approved).as(input.name()).contains("next-" + i);
            assertThat(parked.size() + denied.size() + approved.size()).as(input.name()).isEqualTo(2);
            parked.forEach(p -> assertThat(p.reason()).as(input.name()).doesNotContain("Error"));
        }
        assertThat(filter.deadLetters()).isEmpty();
    }
}
