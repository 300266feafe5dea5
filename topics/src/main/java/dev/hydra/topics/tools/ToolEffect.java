package dev.hydra.topics.tools;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What a tool does to the world, as far as the constitution is concerned (see tools.table). */
public enum ToolEffect {
    READ, WRITE, DELETE, MOVE, SHELL, EXEC, SQL, PUSH, COMMIT, PUBLISH, FETCH, RESTART, STOP, REMOVE, COLLECTION,
    VECTOR, REMEMBER;

    /** The table's and the constitution's spelling. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the tool only touches files, so that the paths it touches decide whether it is autonomous. */
    public boolean onFiles() {
        return this == WRITE || this == DELETE || this == MOVE;
    }

    static ToolEffect of(String word, String where) {
        try {
            return valueOf(word.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": effect must be one of " + words() + ", was '" + word + "'");
        }
    }

    static List<String> words() {
        return Arrays.stream(values()).map(ToolEffect::word).toList();
    }
}
