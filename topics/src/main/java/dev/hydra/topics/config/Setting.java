package dev.hydra.topics.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One typed setting: where it lives in {@code hydra.yaml}, the environment variable that overrides
 * it, its default (which works in the embedded stack) and how a raw value is checked. Modules
 * declare their settings once, as constants.
 *
 * @param path dotted path in hydra.yaml, e.g. {@code kafka.bootstrap}
 * @param env environment variable that wins over the file, e.g. {@code HYDRA_KAFKA_BOOTSTRAP}
 * @param allowed a description of allowed values, used in error messages
 */
public record Setting<T>(String path, String env, String defaultValue, Parser<T> parser, String allowed,
                         String description) {

    /** Turns a raw string into a value, or throws {@link IllegalArgumentException}. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String raw);
    }

    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9_.\\-\\[\\]:]+:\\d{1,5}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    public Setting {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(allowed, "allowed");
        // The compact constructor's parameters: the record's fields are assigned only after it returns.
        KnownSettings.declared(path, this);
    }

    public T parse(String raw, String origin) {
        try {
            return parser.parse(raw.trim());
        } catch (RuntimeException e) {
            throw new ConfigException(origin + ": " + path + (env == null ? "" : " (env " + env + ")")
                    + " must be " + allowed + ", was '" + raw + "'");
        }
    }

    /** As {@link #parse}, for a value from {@link #env()}: the message names the variable, then the file setting it overrides. */
    T parseFromEnvironment(String raw, String file) {
        try {
            return parser.parse(raw.trim());
        } catch (RuntimeException e) {
            throw new ConfigException("environment variable " + env + " (overrides " + path + " of " + file
                    + ") must be " + allowed + ", was '" + raw + "'");
        }
    }

    public static Setting<String> text(String path, String env, String defaultValue, String description) {
        return new Setting<>(path, env, defaultValue, raw -> {
            if (raw.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            return raw;
        }, "a non-empty string", description);
    }

    /** A string that may be empty (empty: the feature it configures is off or derived elsewhere). */
    public static Setting<String> optionalText(String path, String env, String description) {
        return new Setting<>(path, env, "", raw -> raw, "a string (empty for none)", description);
    }

    public static Setting<String> hostPorts(String path, String env, String defaultValue, String description) {
        return new Setting<>(path, env, defaultValue, raw -> {
            for (String part : raw.split(",")) {
                if (!HOST_PORT.matcher(part.trim()).matches()) {
                    throw new IllegalArgumentException(part);
                }
            }
            return raw;
        }, "HOST:PORT[,HOST:PORT…]", description);
    }

    public static Setting<Integer> integer(String path, String env, int defaultValue, int min, int max,
                                           String description) {
        return new Setting<>(path, env, Integer.toString(defaultValue), raw -> {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) {
                throw new IllegalArgumentException(raw);
            }
            return value;
        }, "an integer from " + min + " to " + max, description);
    }

    public static Setting<Duration> duration(String path, String env, String defaultValue, String description) {
        return new Setting<>(path, env, defaultValue, Setting::parseDuration,
                "a duration such as 500ms, 30s, 5m, 24h, 7d or PT5M", description);
    }

    public static Setting<Boolean> flag(String path, String env, boolean defaultValue, String description) {
        return new Setting<>(path, env, Boolean.toString(defaultValue), raw -> {
            String lower = raw.toLowerCase(Locale.ROOT);
            if (!List.of("true", "false").contains(lower)) {
                throw new IllegalArgumentException(raw);
            }
            return Boolean.parseBoolean(lower);
        }, "true or false", description);
    }

    public static <E extends Enum<E>> Setting<E> oneOf(String path, String env, E defaultValue, Class<E> type,
                                                        String description) {
        List<String> names = java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        return new Setting<>(path, env, defaultValue.name().toLowerCase(Locale.ROOT),
                raw -> Enum.valueOf(type, raw.toUpperCase(Locale.ROOT)), "one of " + names, description);
    }

    /** 500ms, 30s, 5m, 24h, 7d or ISO-8601 (PT5M); also what every duration flag of the CLI takes. */
    public static Duration parseDuration(String raw) {
        if (raw.startsWith("P") || raw.startsWith("p")) {
            return Duration.parse(raw.toUpperCase(Locale.ROOT));
        }
        Matcher m = DURATION.matcher(raw);
        if (!m.matches()) {
            throw new IllegalArgumentException(raw);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
