package dev.hydra.topics.events;

import java.time.Instant;

/**
 * The latest position of an operator switch on the compacted {@code hydra.control}, keyed by switch
 * name ({@code pause}). While {@code on} is true for {@code pause}, crews claim no new task and the
 * state assessor proposes nothing; approvals still work.
 *
 * @param name the switch, also the record key: {@code pause}
 * @param on whether the switch is set
 * @param by who flipped it (operator login or principal)
 * @param at when
 * @param reason why, in words; empty when none was given
 */
public record ControlSwitch(String name, boolean on, String by, Instant at, String reason) {
    /** The key of the pause switch. */
    public static final String PAUSE = "pause";

    public ControlSwitch {
        Fields.text(name, "name");
        if (!PAUSE.equals(name)) {
            throw new IllegalArgumentException("name must be one of [" + PAUSE + "], was " + name);
        }
        by = Fields.text(by, "by");
        at = at == null ? Instant.now() : at;
        reason = reason == null ? "" : Fields.bounded(reason, Fields.MAX_NAME, "reason");
    }
}
