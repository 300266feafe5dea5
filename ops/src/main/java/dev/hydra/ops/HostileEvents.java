package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.constitution.rules.PathologicalInputs;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Values a careless or hostile producer might put on an entrance topic, one a producer outside Hydra
 * can write to: random bytes, truncated JSON, wrong types, huge fields, unknown enum values and
 * 10 MB values. None is a valid event. Each spoils a valid event whose id is the record's key, so
 * that if one ever got through, the checker would find it downstream under that key.
 *
 * <p>Besides them, {@linkplain #pathological pathological tool calls}: valid events built to exhaust the
 * constitution's checker (brace and glob bombs, deep nesting, megabyte values). Those are not
 * dead-lettered: the filter must give each a verdict (parked as too complex, or denied) and go on.
 */
final class HostileEvents {
    enum Kind {
        RANDOM_BYTES("random bytes"), TRUNCATED_JSON("truncated JSON"), WRONG_TYPE("wrong types"),
        HUGE_FIELD("huge fields"), UNKNOWN_ENUM("unknown enum values"), TEN_MEGABYTES("10 MB values");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One hostile event: where it goes, what kind it is, its bytes. */
    record Event(Topic<?> topic, Kind kind, byte[] value) {
    }

    /** Far above every bound of the schemas (names 1,000, texts 10,000 characters). */
    private static final int HUGE = 200_000;
    private static final int TEN_MB = 10 * 1024 * 1024;
    /** Every this many events one is 10 MB (the first at a quarter of the way, so a short run has one). */
    private static final int TEN_MB_EVERY = 2_500;

    /**
     * An entrance topic, a valid event on it, and how to spoil it: a value of the wrong type per
     * field, the fields a huge value goes into, and the enum field (none: the topic has no enum).
     */
    private record Entrance(Topic<?> topic, Function<String, ObjectNode> valid, Map<String, JsonNode> wrongTypes,
                            List<String> textFields, String enumField) {
        List<Kind> kinds() {
            return Arrays.stream(Kind.values())
                    .filter(k -> k != Kind.TEN_MEGABYTES && (k != Kind.UNKNOWN_ENUM || enumField != null)).toList();
        }
    }

    private static final List<Entrance> ENTRANCES = List.of(
            new Entrance(Topics.TASKS_PROPOSED, key -> object("{\"id\": \"" + key + "\", \"priority\": 2, "
                    + "\"description\": \"d\", \"crew\": \"development\", "
                    + "\"task\": {\"action\": \"complete_feature\", \"feature\": \"x\"}, \"source\": \"hostile\"}"),
                    Map.of("priority", Json.tree("urgent"), "task", Json.tree(List.of(1, 2)),
                            "resources", Json.tree("service:letta"), "description", Json.tree(Map.of("a", 1))),
                    List.of("description", "id", "source", "type"), "crew"),
            new Entrance(Topics.TOOLCALLS_REQUESTED, key -> object("{\"id\": \"" + key + "\", \"taskId\": \"" + key
                    + "\", \"crew\": \"development\", \"agent\": \"coder\", \"server\": \"shell\", \"tool\": \"run\", "
                    + "\"arguments\": {\"command\": \"echo hostile\"}}"),
                    Map.of("arguments", Json.tree("rm -rf /"), "crew", Json.tree(7), "resources", Json.tree("path:/"),
                            "tool", Json.tree(42)),
                    List.of("tool", "server", "taskId", "id", "agent"), "crew"),
            new Entrance(Topics.APPROVAL_DECISIONS, key -> object("{\"requestId\": \"" + key + "\", "
                    + "\"contentSha256\": \"" + "0".repeat(64) + "\", \"approve\": true, \"by\": \"chaos\", "
                    + "\"reason\": \"hostile\"}"),
                    Map.of("approve", Json.tree("yes"), "at", Json.tree(12_345), "by", Json.tree(List.of("admin"))),
                    List.of("reason", "by", "requestId", "contentSha256"), null));

    /** A valid tool call built to exhaust the checker, named after its {@link PathologicalInputs} entry. */
    record Pathological(String name, byte[] value) {
    }

    /** Built once: the inputs hold several 10 MB values. */
    private static List<PathologicalInputs.Input> pathologicalInputs;

    private HostileEvents() {
    }

    /** How many distinct pathological tool calls there are. */
    static synchronized int pathologicalCount() {
        return inputs().size();
    }

    /** The {@code n}th pathological tool call (they take turns), with {@code key} as its id and task id. */
    static synchronized Pathological pathological(int n, String key) {
        PathologicalInputs.Input in = inputs().get(n % inputs().size());
        int dot = in.tool().indexOf('.');
        ToolCall call = new ToolCall(key, key, Crew.DEVELOPMENT, "coder", in.tool().substring(0, dot),
                in.tool().substring(dot + 1), in.arguments(), List.of(), null);
        return new Pathological(in.name(), Json.bytes(call));
    }

    private static List<PathologicalInputs.Input> inputs() {
        if (pathologicalInputs == null) {
            pathologicalInputs = PathologicalInputs.all();
        }
        return pathologicalInputs;
    }

    /** The {@code n}th hostile event, keyed {@code key}: entrances, kinds and spoiled fields take turns. */
    static Event next(Random random, int n, String key) {
        Entrance entrance = ENTRANCES.get(n % ENTRANCES.size());
        int turn = n / ENTRANCES.size();
        if (n % TEN_MB_EVERY == TEN_MB_EVERY / 10) {
            return new Event(entrance.topic(), Kind.TEN_MEGABYTES, tenMegabytes(random, entrance, key, turn));
        }
        List<Kind> kinds = entrance.kinds();
        Kind kind = kinds.get(turn % kinds.size());
        int variant = turn / kinds.size();
        ObjectNode event = entrance.valid().apply(key);
        byte[] value = switch (kind) {
            case RANDOM_BYTES -> randomBytes(random, 1 + random.nextInt(512));
            case TRUNCATED_JSON -> {
                byte[] whole = Json.bytes(event);
                yield Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
            }
            case WRONG_TYPE -> {
                List<String> fields = entrance.wrongTypes().keySet().stream().sorted().toList();
                String field = fields.get(variant % fields.size());
                event.set(field, entrance.wrongTypes().get(field));
                yield Json.bytes(event);
            }
            case HUGE_FIELD -> {
                event.put(entrance.textFields().get(variant % entrance.textFields().size()), "A".repeat(HUGE));
                yield Json.bytes(event);
            }
            case UNKNOWN_ENUM -> {
                event.put(entrance.enumField(), "marketing");
                yield Json.bytes(event);
            }
            case TEN_MEGABYTES -> throw new IllegalStateException("chosen above");
        };
        return new Event(entrance.topic(), kind, value);
    }

    /** Alternately 10 MB of noise and a well-formed event with a 10 MB field, which must be parsed to be refused. */
    private static byte[] tenMegabytes(Random random, Entrance entrance, String key, int turn) {
        if (turn % 2 == 0) {
            return randomBytes(random, TEN_MB);
        }
        ObjectNode event = entrance.valid().apply(key);
        event.put(entrance.textFields().get(0), "A".repeat(TEN_MB));
        return Json.bytes(event);
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static ObjectNode object(String json) {
        return (ObjectNode) Json.parse(json);
    }
}
