package dev.hydra.constitution.rules;

import dev.hydra.topics.events.Decision;
import java.util.Objects;

/**
 * The rule engine's answer for one item: the decision, the constraint that decided it (empty for
 * ALLOW) and a reason a person can read.
 */
public record Ruling(Decision decision, String constraint, String reason) {
    private static final Ruling ALLOW = new Ruling(Decision.ALLOW, "", "");

    public Ruling {
        Objects.requireNonNull(decision, "decision");
        constraint = constraint == null ? "" : constraint;
        reason = reason == null ? "" : reason;
    }

    public static Ruling allow() {
        return ALLOW;
    }

    /** The stricter of two rulings; on a tie the first is kept. */
    public Ruling strictest(Ruling other) {
        return other.decision.ordinal() > decision.ordinal() ? other : this;
    }
}
