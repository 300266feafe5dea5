package dev.hydra.constitution.rules.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hydra.constitution.rules.text.Budget;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of a nested configuration document as dotted key paths with their values:
 * {@code auth: {enabled: false}} is {@code auth.enabled=false}, {@code [auth] disabled = true} is
 * {@code auth.disabled=true}. A setting that switches something off is usually a nested key whose
 * last segment alone ({@code enabled}) names nothing; its path does. YAML and JSON are read as
 * documents; what does not parse (TOML, INI, .conf) is read line by line with section headers and
 * indentation. Bounded like every reader: at most {@link Budget#MAX_WORDS} paths,
 * {@link Budget#MAX_NESTING} levels.
 */
final class ConfigPaths {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SECTION = Pattern.compile("^\\s*\\[+\\s*([A-Za-z0-9_.\\- \"']+?)\\s*]+\\s*$");
    private static final Pattern KEY_LINE = Pattern.compile(
            "^(\\s*)(?:-\\s+)?[\"']?([A-Za-z_][A-Za-z0-9_.\\-]*)[\"']?\\s*[:=]\\s*(.*)$");
    /** {@code app.config["LOGIN_DISABLED"] = True}: a subscript assignment in a settings script. */
    private static final Pattern SUBSCRIPT = Pattern.compile(
            "^\\s*([A-Za-z_][A-Za-z0-9_.]*)\\[[\"']([^\"']+)[\"']]\\s*=\\s*(.*)$");
    /** {@code protected-mode no}, {@code auth_basic off;}: the key-space-value lines of .conf files. */
    private static final Pattern SPACED = Pattern.compile(
            "^\\s*([A-Za-z_][A-Za-z0-9_.\\-]*)\\s+([^\\s{};=:]+)\\s*;?\\s*$");

    private ConfigPaths() {
    }

    /** A key path (segments joined with '.') and its value as written. */
    record Entry(String path, String value) {
    }

    static List<Entry> read(String content) {
        List<Entry> out = new ArrayList<>();
        JsonNode tree = null;
        try {
            tree = YAML.readTree(content);
        } catch (Exception | StackOverflowError notADocument) {
            // TOML, INI, nginx and other line formats: read below
        }
        if (tree != null && tree.isObject()) { // [auth] alone reads as a YAML list: TOML and INI go by lines
            flatten(tree, "", 0, out);
        } else {
            lines(content, out);
        }
        return out;
    }

    /**
     * Nesting by indentation in one pass, before any parser sees the text: a document of five thousand
     * ever deeper keys is too complex at its 65th level, not after the YAML parser has read a megabyte.
     */
    static void indentation(String content) {
        int[] open = new int[Budget.MAX_NESTING + 2];
        int depth = 0;
        int n = content.length();
        for (int start = 0; start < n; ) {
            int end = content.indexOf('\n', start);
            end = end < 0 ? n : end;
            int indent = start;
            while (indent < end && content.charAt(indent) == ' ') {
                indent++;
            }
            if (indent < end && content.charAt(indent) != '#' && content.charAt(indent) != '\r') {
                int column = indent - start;
                while (depth > 0 && open[depth - 1] >= column) {
                    depth--;
                }
                open[depth++] = column;
                Budget.nesting(depth - 1, "a configuration document");
            }
            start = end + 1;
        }
    }

    private static void flatten(JsonNode node, String path, int depth, List<Entry> out) {
        Budget.nesting(depth, "a configuration document");
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), depth + 1, out);
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (item.isTextual() && item.asText().contains("=")) {
                    // compose environment lists: - POSTGRES_HOST_AUTH_METHOD=trust
                    String[] kv = item.asText().split("=", 2);
                    add(out, path.isEmpty() ? kv[0] : path + "." + kv[0], kv[1]);
                } else {
                    flatten(item, path, depth + 1, out);
                }
            }
        } else if (!path.isEmpty() && !node.isNull()) {
            add(out, path, node.isTextual() && node.asText().isEmpty() ? "''" : node.asText());
        }
    }

    private static void lines(String content, List<Entry> out) {
        String section = "";
        List<int[]> indents = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (String line : content.split("\n")) {
            Budget.tick();
            Matcher s = SECTION.matcher(line);
            if (s.matches()) {
                section = s.group(1).replace("\"", "").replace("'", "").replace(' ', '.');
                indents.clear();
                keys.clear();
                continue;
            }
            Matcher sub = SUBSCRIPT.matcher(line);
            if (sub.matches()) {
                add(out, sub.group(1) + "." + sub.group(2), unquote(sub.group(3)));
                continue;
            }
            Matcher m = KEY_LINE.matcher(line);
            if (!m.matches()) {
                Matcher spaced = SPACED.matcher(line);
                if (spaced.matches()) {
                    add(out, section.isEmpty() ? spaced.group(1) : section + "." + spaced.group(1), spaced.group(2));
                }
                continue;
            }
            int indent = m.group(1).length();
            while (!indents.isEmpty() && indents.get(indents.size() - 1)[0] >= indent) {
                indents.remove(indents.size() - 1);
                keys.remove(keys.size() - 1);
            }
            StringBuilder path = new StringBuilder(section);
            for (String k : keys) {
                path.append(path.length() == 0 ? "" : ".").append(k);
            }
            path.append(path.length() == 0 ? "" : ".").append(m.group(2));
            String value = m.group(3).strip();
            if (value.isEmpty()) {
                Budget.nesting(indents.size(), "a configuration document");
                indents.add(new int[] {indent});
                keys.add(m.group(2));
            } else {
                add(out, path.toString(), unquote(value));
            }
        }
    }

    /** The value without a trailing comment or separator; an explicitly empty string stays {@code ''}. */
    private static String unquote(String raw) {
        String v = raw.replaceAll("\\s+#.*$", "").replaceAll("[;,]+$", "").strip();
        if (v.equals("''") || v.equals("\"\"")) {
            return "''";
        }
        return v.replaceAll("^[\"']|[\"']$", "");
    }

    private static void add(List<Entry> out, String path, String value) {
        if (out.size() >= Budget.MAX_WORDS) {
            throw new Budget.Exceeded("a configuration document of more than " + Budget.MAX_WORDS + " settings");
        }
        out.add(new Entry(path, value));
    }
}
