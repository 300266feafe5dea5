package dev.hydra.topics.tools;

import dev.hydra.topics.config.SandboxSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contract's catalog of tools, beside the catalog of topics: every server Hydra knows, every tool
 * on each, its effect and the arguments that carry its parts, loaded from {@code tools.table}. The
 * constitution judges calls by it and the crews offer agents its built-in tools, so a tool an agent
 * can be offered is always one the constitution understands. {@link #withServers} adds the configured
 * MCP servers: a server configured with a {@code kind} answers with that kind's tools. Immutable.
 */
public final class ToolVocabulary {

    /** Where a server comes from. */
    public enum Origin {
        /** Hydra runs it itself; no configured server may take its name. */
        BUILT_IN,
        /** A server of the seed's hub, known by its canonical name. */
        SEED,
        /** An official MCP server, configured under any name with {@code kind:}. */
        KIND;

        static Origin of(String word, String where) {
            return switch (word.strip()) {
                case "built-in" -> BUILT_IN;
                case "seed" -> SEED;
                case "kind" -> KIND;
                default -> throw new IllegalStateException(where + ": origin must be built-in, seed or kind, was '"
                        + word + "'");
            };
        }
    }

    /** A server of the table, or a configured server (then {@code kind} names the table's server it speaks as). */
    public record Server(String name, Origin origin, String description, Optional<String> kind) {
    }

    public static final String FILESYSTEM = "filesystem-mcp";
    public static final String SHELL = "shell";
    public static final String GIT = "git-mcp";
    /** The crews' shared memory: its tools are run by the memory projector, not the tool executor. */
    public static final String MEMORY = "memory";

    private static final String RESOURCE = "tools.table";
    private static final Pattern OFFER = Pattern.compile("offer ([a-z_]+)\\(([^)]*)\\)");
    private static final ToolVocabulary STANDARD = load();

    private final Map<String, Server> servers;
    private final Map<String, ToolKind> tools;

    private ToolVocabulary(Map<String, Server> servers, Map<String, ToolKind> tools) {
        // table order is kept: it is the order tools are offered and listed in
        this.servers = Collections.unmodifiableMap(new LinkedHashMap<>(servers));
        this.tools = Collections.unmodifiableMap(new LinkedHashMap<>(tools));
    }

    /** The table alone: built-in, seed and kind servers, no configured ones. */
    public static ToolVocabulary standard() {
        return STANDARD;
    }

    /**
     * This vocabulary with the configured MCP servers: a server with a kind answers with the kind's tools
     * under its own name; one named like a seed server is that server; any other is known by name only
     * (its tools are not understood).
     */
    public ToolVocabulary withServers(List<McpServerConfig> configured) {
        Map<String, Server> s = new LinkedHashMap<>(servers);
        Map<String, ToolKind> t = new LinkedHashMap<>(tools);
        for (McpServerConfig c : configured) {
            String name = fold(c.name());
            Optional<String> kind = c.kind().map(ToolVocabulary::fold);
            if (kind.isPresent() && !kind.get().equals(name)) {
                for (ToolKind known : tools.values()) {
                    if (known.server().equals(kind.get())) {
                        t.put(name + "." + known.tool(), known.on(name));
                    }
                }
            }
            s.putIfAbsent(name, new Server(name, kind.map(k -> servers.get(k).origin()).orElse(Origin.SEED),
                    "configured in crews.mcpServers", kind));
        }
        return new ToolVocabulary(s, t);
    }

    /** The tool of a call's {@code server.tool}, matched without regard to case; empty when not understood. */
    public Optional<ToolKind> find(String qualified) {
        return Optional.ofNullable(tools.get(fold(qualified)));
    }

    public Optional<ToolKind> find(String server, String tool) {
        return find(server + "." + tool);
    }

    /**
     * The table's name of a tool reached on a configured server of a kind ({@code fs.write_file} →
     * {@code server-filesystem.write_file}), so that an allowlist written for the kind covers every
     * server configured as it; empty for any other tool.
     */
    public Optional<String> kindName(String qualified) {
        String name = fold(qualified);
        int dot = name.indexOf('.');
        if (dot < 1 || !tools.containsKey(name)) {
            return Optional.empty();
        }
        String server = name.substring(0, dot);
        return server(server).flatMap(Server::kind).filter(kind -> !kind.equals(server))
                .map(kind -> kind + name.substring(dot));
    }

    public Optional<Server> server(String name) {
        return Optional.ofNullable(servers.get(fold(name)));
    }

    /** The tools of one server, in table order. */
    public List<ToolKind> toolsOf(String server) {
        String name = fold(server);
        return tools.values().stream().filter(t -> t.server().equals(name)).toList();
    }

    /** The built-in tools agents are offered, in table order. */
    public List<ToolKind> offered() {
        return tools.values().stream().filter(t -> t.offer().isPresent()).toList();
    }

    /** The offered tool a model calls by {@code name}. */
    public Optional<ToolKind> offered(String name) {
        return offered().stream().filter(t -> t.offer().get().name().equals(name)).findFirst();
    }

    public List<String> serverNames(Origin origin) {
        return servers.values().stream().filter(s -> s.origin() == origin && s.kind().isEmpty()).map(Server::name)
                .sorted().toList();
    }

    private static String fold(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ loading

    private static ToolVocabulary load() {
        Map<String, Server> servers = new LinkedHashMap<>();
        Map<String, ToolKind> tools = new LinkedHashMap<>();
        try (InputStream in = ToolVocabulary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            ToolKind last = null;
            while ((line = r.readLine()) != null) {
                n++;
                String where = RESOURCE + ":" + n;
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                String[] cols = text.split("\\s*\\|\\s*", 3);
                if (text.startsWith("server ") && cols.length == 3) {
                    String name = fold(cols[0].substring("server ".length()));
                    servers.put(name, new Server(name, Origin.of(cols[1], where), workspace(cols[2]), Optional.empty()));
                } else if (text.startsWith("tool ") && cols.length >= 2) {
                    last = tool(cols, servers, where);
                    if (tools.put(last.qualified(), last) != null) {
                        throw new IllegalStateException(where + ": " + last.qualified() + " is listed twice");
                    }
                } else if (text.startsWith("offer ") && cols.length == 2 && last != null && last.offer().isEmpty()) {
                    last = new ToolKind(last.server(), last.tool(), last.effect(), last.roles(),
                            Optional.of(offer(cols[0], workspace(cols[1]), where)));
                    tools.put(last.qualified(), last);
                } else {
                    throw new IllegalStateException(where + ": expected 'server NAME | ORIGIN | DESCRIPTION', "
                            + "'tool SERVER.TOOL | EFFECT [| ROLES]' or, after a tool, 'offer NAME(ARGS) | DESCRIPTION'");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ToolVocabulary(servers, tools);
    }

    private static ToolKind tool(String[] cols, Map<String, Server> servers, String where) {
        String qualified = fold(cols[0].substring("tool ".length()));
        int dot = qualified.indexOf('.');
        if (dot < 1 || !servers.containsKey(qualified.substring(0, dot))) {
            throw new IllegalStateException(where + ": " + qualified + " names no server declared above");
        }
        Map<String, List<String>> roles = new LinkedHashMap<>();
        if (cols.length > 2) {
            for (String role : cols[2].split("\\s+")) {
                int eq = role.indexOf('=');
                if (eq < 1) {
                    throw new IllegalStateException(where + ": a role is ROLE=ARGUMENT[,ARGUMENT...], was '" + role + "'");
                }
                roles.put(role.substring(0, eq), List.of(role.substring(eq + 1).split(",")));
            }
        }
        return new ToolKind(qualified.substring(0, dot), qualified.substring(dot + 1), ToolEffect.of(cols[1], where),
                roles, Optional.empty());
    }

    private static ToolOffer offer(String head, String description, String where) {
        Matcher m = OFFER.matcher(head);
        if (!m.matches()) {
            throw new IllegalStateException(where + ": expected 'offer name(arg, list[])', was '" + head + "'");
        }
        List<String> arguments = new ArrayList<>();
        List<String> lists = new ArrayList<>();
        for (String argument : m.group(2).split(",")) {
            String a = argument.strip();
            if (a.endsWith("[]")) {
                lists.add(a.substring(0, a.length() - 2));
            } else if (!a.isEmpty()) {
                arguments.add(a);
            }
        }
        return new ToolOffer(m.group(1), description, arguments, lists);
    }

    private static String workspace(String description) {
        return description.replace("{workspace}", SandboxSettings.WORKSPACE_ROOT);
    }
}
