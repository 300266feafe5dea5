package dev.hydra.topics.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * {@code config/hydra.yaml} plus the environment. A setting's value is, in order of precedence: its
 * environment variable, its path in the file, its default. Structured sections (services, crews,
 * nodes) are read by the module that owns them through {@link #section(String)}.
 */
public final class HydraConfig {
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final JsonNode root;
    private final Map<String, String> env;
    private final String origin;
    private final Path baseDirectory;

    private HydraConfig(JsonNode root, Map<String, String> env, String origin, Path baseDirectory) {
        this.root = root == null || root.isNull() ? MissingNode.getInstance() : root;
        this.env = Map.copyOf(env);
        this.origin = origin;
        this.baseDirectory = baseDirectory;
    }

    /** Loads {@code file}; a missing file means every default. */
    public static HydraConfig load(Path file, Map<String, String> env) {
        Objects.requireNonNull(file, "file");
        Path base = file.toAbsolutePath().getParent();
        if (!Files.exists(file)) {
            return new HydraConfig(MissingNode.getInstance(), env, file.toString(), base);
        }
        try {
            JsonNode root = YAML.readTree(file.toFile());
            if (root != null && !root.isNull() && !root.isMissingNode() && !root.isObject()) {
                throw new ConfigException(file + ": the top level must be a mapping of sections");
            }
            return new HydraConfig(root, env, file.toString(), base);
        } catch (IOException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    /** A configuration of defaults and the given overrides (for tests and embedded use). */
    public static HydraConfig of(String yaml, Map<String, String> env) {
        try {
            return new HydraConfig(YAML.readTree(yaml), env, "inline config", Path.of("").toAbsolutePath());
        } catch (IOException e) {
            throw new ConfigException("inline config: not valid YAML: " + e.getMessage(), e);
        }
    }

    public <T> T get(Setting<T> setting) {
        String raw = null;
        String from = origin;
        if (setting.env() != null && env.containsKey(setting.env())) {
            return setting.parseFromEnvironment(env.get(setting.env()), origin);
        } else {
            JsonNode node = section(setting.path());
            if (!node.isMissingNode() && !node.isNull()) {
                if (node.isContainerNode()) {
                    throw new ConfigException(origin + ": " + setting.path() + " must be " + setting.allowed()
                            + ", was a " + (node.isArray() ? "list" : "mapping"));
                }
                raw = node.asText();
            }
        }
        if (raw == null) {
            raw = setting.defaultValue();
            from = "default";
        }
        if (raw == null) {
            throw new ConfigException(origin + ": " + setting.path() + " is required (" + setting.allowed() + ")");
        }
        return setting.parse(raw, from);
    }

    /**
     * The same file with some environment variables replaced or added: a stack telling its services
     * their real ports or where its generated credentials are, command-line flags winning over the environment.
     */
    public HydraConfig withEnv(Map<String, String> overrides) {
        Map<String, String> merged = new java.util.HashMap<>(env);
        merged.putAll(overrides);
        return new HydraConfig(root, merged, origin, baseDirectory);
    }

    private static final java.util.regex.Pattern VARIABLE =
            java.util.regex.Pattern.compile("\\$\\{([A-Z0-9_]+)(?::-([^}]*))?}");

    /**
     * {@code text} with each {@code ${VAR}} or {@code ${VAR:-default}} replaced from the environment, for
     * free-form values of structured sections (a service's health URL naming the console's port).
     */
    public String expand(String text) {
        java.util.regex.Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.getOrDefault(m.group(1), m.group(2));
            if (value == null) {
                throw new ConfigException(origin + ": '" + text + "' names ${" + m.group(1)
                        + "}, which is not set; set it or write ${" + m.group(1) + ":-DEFAULT}");
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The node at a dotted path, or a missing node. */
    public JsonNode section(String dottedPath) {
        JsonNode node = root;
        if (dottedPath.isEmpty()) {
            return node;
        }
        for (String part : dottedPath.split("\\.")) {
            node = node.path(part);
        }
        return node;
    }

    /** Where a value came from, for error messages. */
    public String origin() {
        return origin;
    }

    /** The directory relative paths in the file are resolved against. */
    public Path baseDirectory() {
        return baseDirectory;
    }

    public Map<String, String> env() {
        return env;
    }
}
