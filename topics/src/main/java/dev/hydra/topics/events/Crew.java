package dev.hydra.topics.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The seed's crews. On the wire and in topic names a crew is its lower-case name. */
public enum Crew {
    RESEARCH, DEVELOPMENT, INFRASTRUCTURE, SELF_IMPROVEMENT;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(Crew::wireName).toList();
    }

    @JsonCreator
    public static Crew fromWire(String name) {
        for (Crew crew : values()) {
            if (crew.wireName().equals(name)) {
                return crew;
            }
        }
        throw new IllegalArgumentException("crew must be one of " + wireNames() + ", was '" + name + "'");
    }

    @Override
    public String toString() {
        return wireName();
    }
}
