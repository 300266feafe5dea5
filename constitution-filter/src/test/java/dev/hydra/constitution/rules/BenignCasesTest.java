package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Decision;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Look-alikes that only mention dangerous things, or do harmless ones (benign.cases): none may be
 * denied. Cases marked ALLOW must be allowed; NOT_DENY may need approval (a fail-closed reading).
 */
class BenignCasesTest {
    private static Constitution constitution;

    @BeforeAll
    static void load() {
        constitution = Constitution.load(Cases.CONSTITUTION);
    }

    static List<Cases> cases() {
        return Cases.load("benign.cases");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void neverDeniesALookAlike(Cases c) {
        Ruling ruling = c.check(constitution);
        assertThat(ruling.decision()).as("%s -> %s", c, ruling).isNotEqualTo(Decision.DENY);
        if (c.expected().equals("ALLOW")) {
            assertThat(ruling.decision()).as("%s -> %s", c, ruling).isEqualTo(Decision.ALLOW);
        }
    }

    @Test
    void coversAtLeast150LookAlikes() {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(150);
    }
}
