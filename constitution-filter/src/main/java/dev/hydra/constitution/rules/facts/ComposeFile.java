package dev.hydra.constitution.rules.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hydra.constitution.rules.text.Budget;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a Docker Compose file gives the containers it starts, when it is written: a compose file (an
 * override beside Hydra's docker-compose.yml is an autonomous config_file_update) is run on the host by
 * the next {@code docker compose up}, outside the sandbox. A host directory mounted writable counts as
 * written by the container (the host's root mounted covers the constitution: DENY), and the settings
 * that hand a container the host itself (privileged, the host's network, PID or IPC namespace, added
 * capabilities, devices, no confinement) need a person.
 */
final class ComposeFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** docker-compose.yml, docker-compose.override.yaml, compose.prod.yml, ... */
    private static final Pattern NAME = Pattern.compile("(?:^|/)(?:docker-)?compose(?:[.\\-][^/]*)?\\.ya?ml$");
    /** Service settings whose value gives the container the host: setting → the values that do (empty: any). */
    private static final Map<String, Set<String>> HOST_SETTINGS = Map.of(
            "privileged", Set.of("true", "yes", "on"),
            "network_mode", Set.of("host"),
            "pid", Set.of("host"),
            "ipc", Set.of("host"),
            "userns_mode", Set.of("host"),
            "uts", Set.of("host"),
            "cap_add", Set.of(),
            "devices", Set.of(),
            "security_opt", Set.of(),
            "cgroup_parent", Set.of());

    private ComposeFile() {
    }

    static boolean named(String path) {
        return NAME.matcher(path.toLowerCase(Locale.ROOT)).find();
    }

    /**
     * Records what the compose file at {@code path} (content {@code content}) gives its containers. The
     * whole document is walked, not only {@code services}: an MCP edit's new text is a fragment of a
     * service ("privileged: true", "- /:/host").
     */
    static void read(Recorder recorder, Facts f, String path, String content, String via) {
        String dir = path.substring(0, Math.max(1, path.lastIndexOf('/')));
        document(recorder, f, content, dir, via + " in " + path, 0);
    }

    private static void document(Recorder recorder, Facts f, String content, String dir, String what, int depth) {
        ConfigPaths.indentation(content); // too deep is too complex before the parser reads it
        JsonNode tree;
        try {
            tree = YAML.readTree(content);
        } catch (Exception | StackOverflowError notYaml) {
            return; // not a document: the compose tool refuses it too
        }
        if (tree != null) {
            walk(recorder, f, tree, dir, what, depth, new int[1]);
        }
    }

    private static void walk(Recorder recorder, Facts f, JsonNode node, String dir, String what, int depth, int[] seen) {
        Budget.nesting(depth, "a compose file");
        if (++seen[0] > Budget.MAX_WORDS) {
            throw new Budget.Exceeded("a compose file of more than " + Budget.MAX_WORDS + " values");
        }
        if (node.isArray()) {
            for (JsonNode item : node) {
                if (item.isTextual() && item.asText().indexOf(':') > 0) {
                    mount(recorder, f, item, dir, what); // a volumes list, or a fragment of one
                } else {
                    walk(recorder, f, item, dir, what, depth + 1, seen);
                }
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Map.Entry<String, Set<String>> h : HOST_SETTINGS.entrySet()) {
            JsonNode v = node.get(h.getKey());
            if (v != null && !v.isNull() && (h.getValue().isEmpty() ? !v.isEmpty() || v.isValueNode()
                    : h.getValue().contains(v.asText().strip().toLowerCase(Locale.ROOT)))) {
                f.problem("compose", "not understood: " + what + " sets " + h.getKey() + " "
                        + Recorder.shorten(v.isValueNode() ? v.asText() : v.toString())
                        + ", which gives a container the host");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().equals("volumes") && v.isArray()) {
                for (JsonNode volume : v) {
                    if (++seen[0] > Budget.MAX_WORDS) {
                        throw new Budget.Exceeded("a compose file of more than " + Budget.MAX_WORDS + " values");
                    }
                    mount(recorder, f, volume, dir, what);
                }
            } else if (v.isContainerNode()) {
                walk(recorder, f, v, dir, what, depth + 1, seen);
            }
        }
    }

    /** A bind mount that is not read-only: the container may write anything under its host directory. */
    private static void mount(Recorder recorder, Facts f, JsonNode volume, String dir, String what) {
        String source;
        boolean readOnly;
        if (volume.isTextual()) {
            String[] parts = volume.asText().split(":");
            source = parts[0];
            readOnly = parts.length > 2 && Set.of(parts[2].split(",")).contains("ro");
        } else if (volume.isObject()) {
            source = volume.path("source").asText("");
            readOnly = volume.path("read_only").asBoolean(false);
            if (!volume.path("type").asText("bind").equals("bind")) {
                return;
            }
        } else {
            return;
        }
        boolean hostPath = source.startsWith("/") || source.startsWith(".") || source.startsWith("~")
                || source.startsWith("$");
        if (!hostPath || readOnly) {
            return; // a named volume is Docker's own storage
        }
        recorder.write(f, source.replaceAll("/+$", "") + "/**", null, what + " mounts " + Recorder.shorten(source)
                + " writable", dir);
    }
}
