package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.ToolCall;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Inputs built to exhaust a checker (brace and glob bombs, deep nesting, huge values) get a verdict,
 * never an error: NEEDS_APPROVAL naming the budget, so a person can still look. The time and heap they
 * take are measured in ops' ConstitutionBenchmark (pathological mode), not asserted here.
 */
class PathologicalInputsTest {
    private static Constitution constitution;

    @BeforeAll
    static void load() {
        constitution = Constitution.load(Cases.CONSTITUTION);
    }

    static Stream<PathologicalInputs.Input> inputs() {
        return PathologicalInputs.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void getsAVerdictThatNeedsAPersonInsteadOfAnError(PathologicalInputs.Input input) {
        int dot = input.tool().indexOf('.');
        Ruling ruling = constitution.check(new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder",
                input.tool().substring(0, dot), input.tool().substring(dot + 1), input.arguments(), List.of(), null));
        assertThat(ruling.decision()).as(ruling.reason()).isNotEqualTo(Decision.ALLOW);
        assertThat(ruling.reason()).doesNotContain("Error").doesNotContain("Exception");
    }
}
