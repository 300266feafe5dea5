package dev.hydra.topics.events;

/** The constitution's three verdicts, from most to least permissive. */
public enum Decision {
    ALLOW, NEEDS_APPROVAL, DENY;

    /** The stricter of two verdicts: when several rules match, the strictest wins. */
    public Decision strictest(Decision other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
