package dev.hydra.topics.memory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of the research crew's {@code technologies_to_evaluate}: a name plus whatever else the
 * crew wrote about it (url, reason, …), passed on to the evaluate_technology task unchanged.
 */
public record Technology(String name, Map<String, Object> details) {
    public Technology {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("technology name must not be blank");
        }
        name = name.strip();
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static Technology named(String name) {
        return new Technology(name, Map.of());
    }

    /** The seed's task payload: the technology as a dict with at least its name. */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>(details);
        map.put("name", name);
        return map;
    }
}
