package dev.hydra.topics.events;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Field checks shared by the event records' compact constructors; messages name the field. */
final class Fields {
    /**
     * Ids, names and labels (task ids, tool names, who decided). A longer one is a payload in the
     * wrong place, or an attack on whatever logs, audits or indexes it, not a name.
     */
    static final int MAX_NAME = 1_000;

    private Fields() {
    }

    /** {@code value} (null passes: presence is another check) if it has at most {@code max} characters. */
    static String bounded(String value, int max, String field) {
        if (value != null && value.length() > max) {
            throw new IllegalArgumentException(field + " must be at most " + max + " characters, was " + value.length());
        }
        return value;
    }

    static String text(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required and must not be blank");
        }
        return value;
    }

    static String orId(String value) {
        return value == null || value.isBlank() ? UUID.randomUUID().toString() : value;
    }

    static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    static <E> E present(E value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    static List<String> list(List<String> values, String field) {
        if (values == null) {
            return List.of();
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null || values.get(i).isBlank()) {
                throw new IllegalArgumentException(field + "[" + i + "] must be a non-blank string");
            }
        }
        return List.copyOf(values);
    }

    /** An unmodifiable copy that keeps insertion order (JSON objects read back the same way). */
    static Map<String, Object> map(Map<String, Object> values) {
        return values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    static int range(int value, int min, int max, String field) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }
}
