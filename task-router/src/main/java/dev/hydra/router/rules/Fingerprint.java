package dev.hydra.router.rules;

import dev.hydra.topics.events.Task;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What makes two tasks "the same work": crew, action and target. The state assessor proposes
 * "restart letta" again every cycle until letta is up; only the first of those should run.
 */
public final class Fingerprint {

    /** Arguments that name what a task works on, most specific first (the seed's task dicts). */
    static final List<String> TARGET_KEYS = List.of("service", "feature", "topic", "technology", "path",
            "container", "database", "collection", "repo", "branch", "file", "url", "target_metric", "target");

    private Fingerprint() {
    }

    /** {@code crew|action|target}; a dry-run replay's is its run's own, so it never meets live work. */
    public static String of(Task task) {
        return Conflicts.scope(task) + task.crew().wireName() + "|" + task.action() + "|" + target(task);
    }

    /**
     * The first of the target arguments present, else the first resource, else every argument
     * but the action (so that two tasks without a named target are only equal if all of their
     * arguments are).
     */
    static String target(Task task) {
        for (String key : TARGET_KEYS) {
            Object value = task.task().get(key);
            if (value != null) {
                return canonical(value);
            }
        }
        if (!task.resources().isEmpty()) {
            return task.resources().get(0);
        }
        Map<String, Object> rest = new TreeMap<>(task.task());
        rest.remove("action");
        return canonical(rest);
    }

    /** A stable text for a JSON value: maps by sorted key; a map with a name is its name. */
    private static String canonical(Object value) {
        if (value instanceof Map<?, ?> map) {
            if (map.get("name") instanceof String name) {
                return name.trim();
            }
            return new TreeMap<>(map).entrySet().stream()
                    .map(e -> e.getKey() + "=" + canonical(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        if (value instanceof List<?> list) {
            return list.stream().map(Fingerprint::canonical).collect(Collectors.joining(",", "[", "]"));
        }
        return String.valueOf(value).trim();
    }
}
