package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Decision;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Evasions of every constraint (adversarial.cases): none may be allowed. Cases marked DENY or
 * NEEDS_APPROVAL must get exactly that verdict; BLOCKED means either.
 */
class AdversarialCasesTest {
    private static Constitution constitution;

    @BeforeAll
    static void load() {
        constitution = Constitution.load(Cases.CONSTITUTION);
    }

    static List<Cases> cases() {
        return Cases.load("adversarial.cases");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void neverAllowsAnEvasion(Cases c) {
        Ruling ruling = c.check(constitution);
        assertThat(ruling.decision()).as("%s -> %s", c, ruling).isNotEqualTo(Decision.ALLOW);
        if (!c.expected().equals("BLOCKED")) {
            assertThat(ruling.decision()).as("%s -> %s", c, ruling).isEqualTo(Decision.valueOf(c.expected()));
        }
    }

    @Test
    void coversAtLeast150Evasions() {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(150);
    }
}
