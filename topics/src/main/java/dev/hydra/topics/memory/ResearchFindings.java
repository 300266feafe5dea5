package dev.hydra.topics.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code technologies_to_evaluate} from the content of the research crew's
 * {@code research_findings} memory block. Two forms are accepted, because agents write the block:
 * <ul>
 *   <li>JSON, the seed's shape: {@code {"technologies_to_evaluate": [{"name": "vLLM 0.8", "reason": "…"},
 *       "SGLang"]}} (an entry is an object with a {@code name}, or just a name);</li>
 *   <li>text, one technology per line, optionally as a list item ({@code - …}):
 *       {@code evaluate: NAME}, {@code evaluate: NAME: WHY}, or {@code evaluate NAME: WHY} (what an entry
 *       keyed {@code evaluate NAME} looks like in memory-projector's {@code key: text} block format);
 *       WHY becomes the technology's {@code reason}. Other lines are notes and are ignored.</li>
 * </ul>
 * Content that fits neither form names no technology. At most {@link #MAX_TECHNOLOGIES} are read (the
 * first ones, so the set stays the same while the block grows): each becomes a P4 task with no person
 * involved, and a block full of evaluate lines would otherwise be a hundred tasks at once.
 */
public final class ResearchFindings {
    public static final String FIELD = "technologies_to_evaluate";
    /** The most technologies one block names. */
    public static final int MAX_TECHNOLOGIES = 10;
    /** {@code evaluate: NAME[: WHY]} or {@code evaluate NAME: [WHY]}; a colon is required so prose never matches. */
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(?:[-*]\\s*)?evaluate(?::\\s*(?<name>\\S.*?)(?::\\s+(?<why>.*?))?"
                    + "|\\s+(?<keyed>\\S.*?):(?:\\s+(?<because>.*?))?)\\s*$", Pattern.CASE_INSENSITIVE);
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private ResearchFindings() {
    }

    public static List<Technology> technologiesToEvaluate(String content) {
        if (content == null || content.isBlank()) {
            return List.of();
        }
        String trimmed = content.strip();
        if (trimmed.startsWith("{")) {
            return fromJson(trimmed);
        }
        List<Technology> out = new ArrayList<>();
        for (String line : trimmed.split("\\R")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                String name = m.group("name") != null ? m.group("name") : m.group("keyed");
                String why = m.group("name") != null ? m.group("why") : m.group("because");
                out.add(why == null || why.isBlank() ? Technology.named(name)
                        : new Technology(name, Map.of("reason", why)));
            }
        }
        return distinct(out);
    }

    private static List<Technology> fromJson(String json) {
        JsonNode list;
        try {
            list = Json.MAPPER.readTree(json).path(FIELD);
        } catch (JsonProcessingException e) {
            return List.of();
        }
        List<Technology> out = new ArrayList<>();
        for (JsonNode entry : list) {
            if (entry.isTextual() && !entry.asText().isBlank()) {
                out.add(Technology.named(entry.asText()));
            } else if (entry.isObject() && entry.path("name").isTextual() && !entry.path("name").asText().isBlank()) {
                Map<String, Object> details = Json.MAPPER.convertValue(entry, OBJECT);
                details.remove("name");
                out.add(new Technology(entry.path("name").asText(), details));
            }
        }
        return distinct(out);
    }

    /** One entry per name (case-insensitive): the first wins, so repeating a line changes nothing. */
    private static List<Technology> distinct(List<Technology> technologies) {
        Map<String, Technology> byName = new LinkedHashMap<>();
        for (Technology t : technologies) {
            if (byName.size() == MAX_TECHNOLOGIES) {
                break;
            }
            byName.putIfAbsent(t.name().toLowerCase(Locale.ROOT), t);
        }
        return List.copyOf(byName.values());
    }
}
