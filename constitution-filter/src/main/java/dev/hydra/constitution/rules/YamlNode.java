package dev.hydra.constitution.rules;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hydra.topics.config.ConfigException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers where it was written, so that a bad constitution is refused with
 * {@code file:line:column: field: problem; allowed: ...}. Read with Jackson's streaming YAML parser.
 */
final class YamlNode {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final String origin;
    private final String field;
    private final int line;
    private final int column;
    private final String scalar;
    private final List<YamlNode> list;
    private final Map<String, YamlNode> map;
    /** Where the key naming this value was written (for "unknown key" errors); 0 when not in a mapping. */
    private int keyLine;
    private int keyColumn;

    private YamlNode(String origin, String field, JsonLocation at, String scalar, List<YamlNode> list,
                     Map<String, YamlNode> map) {
        this.origin = origin;
        this.field = field;
        this.line = at == null ? 0 : at.getLineNr();
        this.column = at == null ? 0 : at.getColumnNr();
        this.scalar = scalar;
        this.list = list;
        this.map = map;
    }

    static YamlNode parse(String yaml, String origin) {
        try (JsonParser p = FACTORY.createParser(yaml)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new ConfigException(origin + ":1:1: the constitution is empty; expected a mapping with "
                        + "immutable_constraints, supervised_operations, autonomous_operations");
            }
            YamlNode root = read(p, origin, "");
            if (p.nextToken() != null) {
                throw new ConfigException(origin + ":" + p.currentTokenLocation().getLineNr()
                        + ": more than one YAML document");
            }
            return root;
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
            int line = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
                    ? j.getLocation().getLineNr() : 0;
            throw new ConfigException(origin + ":" + line + ": not valid YAML: " + message, e);
        }
    }

    private static YamlNode read(JsonParser p, String origin, String field) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, YamlNode> map = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonLocation keyAt = p.currentTokenLocation();
                p.nextToken();
                String childField = field.isEmpty() ? key : field + "." + key;
                if (map.containsKey(key)) {
                    throw new ConfigException(origin + ":" + keyAt.getLineNr() + ":" + keyAt.getColumnNr() + ": "
                            + childField + ": appears twice");
                }
                YamlNode child = read(p, origin, childField);
                child.keyLine = keyAt.getLineNr();
                child.keyColumn = keyAt.getColumnNr();
                map.put(key, child);
            }
            return new YamlNode(origin, field, at, null, null, map);
        }
        if (t == JsonToken.START_ARRAY) {
            List<YamlNode> list = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                list.add(read(p, origin, field + "[" + i++ + "]"));
            }
            return new YamlNode(origin, field, at, null, list, null);
        }
        return new YamlNode(origin, field, at, t == JsonToken.VALUE_NULL ? null : p.getText(), null, null);
    }

    String field() {
        return field;
    }

    boolean isMap() {
        return map != null;
    }

    boolean isList() {
        return list != null;
    }

    boolean isScalar() {
        return map == null && list == null && scalar != null;
    }

    /** A refusal that names the file, line, column, field and what is allowed. */
    ConfigException error(String problem, Object allowed) {
        String allowedText = allowed instanceof Collection<?> c ? String.join(", ", c.stream().map(String::valueOf).toList())
                : String.valueOf(allowed);
        return new ConfigException(origin + ":" + line + ":" + column + ": " + (field.isEmpty() ? "(top level)" : field)
                + ": " + problem + "; allowed: " + allowedText);
    }

    Map<String, YamlNode> map(Object allowedKeys) {
        if (map == null) {
            throw error("must be a mapping, was " + kind(), allowedKeys);
        }
        if (allowedKeys instanceof Collection<?> keys) {
            for (Map.Entry<String, YamlNode> e : map.entrySet()) {
                if (!keys.contains(e.getKey())) {
                    YamlNode v = e.getValue();
                    throw new ConfigException(origin + ":" + v.keyLine + ":" + v.keyColumn + ": " + v.field
                            + ": unknown key '" + e.getKey() + "'; allowed: "
                            + String.join(", ", keys.stream().map(String::valueOf).toList()));
                }
            }
        }
        return map;
    }

    List<YamlNode> list(String allowed) {
        if (list == null) {
            throw error("must be a list, was " + kind(), allowed);
        }
        return list;
    }

    String text(String allowed) {
        if (!isScalar() || scalar.isBlank()) {
            throw error("must be a non-empty text, was " + kind(), allowed);
        }
        return scalar;
    }

    List<String> texts(String allowed) {
        List<String> out = new ArrayList<>();
        for (YamlNode n : list(allowed)) {
            out.add(n.text(allowed));
        }
        return out;
    }

    boolean flag() {
        if (isScalar() && (scalar.equals("true") || scalar.equals("false"))) {
            return Boolean.parseBoolean(scalar);
        }
        throw error("must be true or false, was " + kind(), "true, false");
    }

    private String kind() {
        if (map != null) {
            return "a mapping";
        }
        if (list != null) {
            return "a list";
        }
        return scalar == null ? "empty" : "'" + scalar + "'";
    }
}
