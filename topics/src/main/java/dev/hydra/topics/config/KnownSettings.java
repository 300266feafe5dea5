package dev.hydra.topics.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;

/**
 * Every setting and free-form section declared anywhere, filled as the declaring classes load: a
 * {@link Setting} constant registers itself when it is created, so a module adding a setting never
 * has to list it twice. {@link #check} refuses a hydra.yaml key nobody declared, naming the nearest
 * known one, so that a typo is an error instead of a silently ignored default.
 */
public final class KnownSettings {
    /** A plain dotted path; ad-hoc settings built for one list entry ("services[0] (web).x") are not declarations. */
    private static final Pattern DECLARED_PATH = Pattern.compile("[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*");
    private static final Map<String, Setting<?>> SETTINGS = new ConcurrentSkipListMap<>();
    private static final Set<String> SECTIONS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private KnownSettings() {
    }

    static void declared(String path, Setting<?> setting) {
        if (DECLARED_PATH.matcher(path).matches()) {
            SETTINGS.putIfAbsent(path, setting);
        }
    }

    /**
     * Declares a section whose content its module reads itself (a list of services, a map of
     * queries): hydra.yaml may hold anything under it.
     */
    public static String section(String path) {
        SECTIONS.add(path);
        return path;
    }

    /** The settings declared so far, by path. */
    public static Map<String, Setting<?>> settings() {
        return java.util.Collections.unmodifiableMap(SETTINGS);
    }

    /**
     * Refuses keys of the file that no loaded class declared, then parses every declared setting, so
     * that all configuration mistakes are reported before anything starts.
     */
    public static void check(HydraConfig config) {
        List<String> problems = new ArrayList<>();
        unknownKeys(config.section(""), "", problems);
        problems.replaceAll(p -> config.origin() + ": " + p);
        for (Setting<?> setting : SETTINGS.values()) {
            try {
                config.get(setting);
            } catch (ConfigException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("\n", problems));
        }
    }

    private static void unknownKeys(JsonNode node, String prefix, List<String> problems) {
        if (!node.isObject()) {
            return;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            String path = prefix.isEmpty() ? name : prefix + "." + name;
            if (SETTINGS.containsKey(path) || SECTIONS.contains(path)) {
                continue;
            }
            if (isParent(path)) {
                unknownKeys(node.get(name), path, problems);
            } else {
                problems.add(path + ": unknown setting; did you mean " + nearest(path) + "?");
            }
        }
    }

    private static boolean isParent(String path) {
        String asParent = path + ".";
        return SETTINGS.keySet().stream().anyMatch(p -> p.startsWith(asParent))
                || SECTIONS.stream().anyMatch(p -> p.startsWith(asParent));
    }

    static String nearest(String path) {
        Set<String> known = new TreeSet<>(SETTINGS.keySet());
        known.addAll(SECTIONS);
        String last = path.substring(path.lastIndexOf('.') + 1);
        // The key's own name weighs most (promoteAftr → router.promoteAfter even when written at the top level).
        return known.stream().min(Comparator.<String>comparingInt(k -> distance(last, k.substring(k.lastIndexOf('.') + 1)) * 4
                + distance(path, k))).orElse("(no settings are declared)");
    }

    /** Levenshtein distance, case-insensitive. */
    static int distance(String a, String b) {
        String x = a.toLowerCase(java.util.Locale.ROOT);
        String y = b.toLowerCase(java.util.Locale.ROOT);
        int[] previous = new int[y.length() + 1];
        int[] current = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int substitution = previous[j - 1] + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[y.length()];
    }
}
