package dev.hydra.topics.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KnownSettings;
import dev.hydra.topics.events.Crew;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One MCP server of {@code crews.mcpServers} in hydra.yaml: a local command (stdio) or a URL
 * (streamable HTTP), the official server it is ({@code kind}, so the constitution understands its
 * tools) and the crews whose agents are offered its tools. Read here, in the contract, because the
 * tool executor, the crews and the constitution filter all read the same list.
 */
public record McpServerConfig(String name, List<String> command, Optional<String> url, Optional<String> kind,
                              List<Crew> crews) {

    public static final String PATH = KnownSettings.section("crews.mcpServers");
    private static final Set<String> FIELDS = Set.of("name", "command", "url", "kind", "crews");
    /** A server's name is part of the tool names models see, which allow only these characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

    public McpServerConfig {
        command = List.copyOf(command);
        crews = List.copyOf(crews);
    }

    /** Every configured server, checked: a mistake refuses to start, naming the entry, the field and what is allowed. */
    public static List<McpServerConfig> from(HydraConfig config) {
        JsonNode list = config.section(PATH);
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new ConfigException(config.origin() + ": " + PATH + " must be a list of {name, command | url, kind, crews}");
        }
        ToolVocabulary vocabulary = ToolVocabulary.standard();
        List<McpServerConfig> servers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String where = config.origin() + ": " + PATH + "[" + i + "]";
            for (Iterator<String> fields = entry.fieldNames(); fields.hasNext(); ) {
                String field = fields.next();
                if (!FIELDS.contains(field)) {
                    throw new ConfigException(where + "." + field + " is not a setting of an MCP server (allowed: "
                            + FIELDS.stream().sorted().toList() + ")");
                }
            }
            String name = config.expand(entry.path("name").asText("")).strip();
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException(where + ".name must be 1-32 letters, digits, '-' or '_' (it becomes part of "
                        + "the tool names agents see), was '" + name + "'");
            }
            where = where + " (" + name + ")";
            if (vocabulary.server(name).filter(s -> s.origin() == ToolVocabulary.Origin.BUILT_IN).isPresent()) {
                throw new ConfigException(where + ": the name " + name + " is Hydra's built-in server (built-in: "
                        + vocabulary.serverNames(ToolVocabulary.Origin.BUILT_IN) + "); give the MCP server another name");
            }
            if (!names.add(name.toLowerCase(java.util.Locale.ROOT))) {
                throw new ConfigException(where + ": a second server named " + name);
            }
            List<String> command = new ArrayList<>();
            entry.path("command").forEach(arg -> command.add(config.expand(arg.asText())));
            String url = config.expand(entry.path("url").asText("")).strip();
            if (command.isEmpty() == url.isEmpty()) {
                throw new ConfigException(where + " must have exactly one of command (a list: the program and its "
                        + "arguments, for stdio) or url (streamable HTTP)");
            }
            Optional<String> kind = kind(entry, name, vocabulary, where);
            List<Crew> crews = new ArrayList<>();
            for (JsonNode crew : entry.path("crews")) {
                try {
                    crews.add(Crew.fromWire(crew.asText()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where + ".crews: " + e.getMessage());
                }
            }
            servers.add(new McpServerConfig(name, command, url.isEmpty() ? Optional.empty() : Optional.of(url), kind,
                    crews));
        }
        return List.copyOf(servers);
    }

    /** The server it speaks as: its {@code kind}, or itself when named like a seed server. */
    private static Optional<String> kind(JsonNode entry, String name, ToolVocabulary vocabulary, String where) {
        List<String> allowed = new ArrayList<>(vocabulary.serverNames(ToolVocabulary.Origin.KIND));
        allowed.addAll(vocabulary.serverNames(ToolVocabulary.Origin.SEED));
        String kind = entry.path("kind").asText("").strip();
        if (kind.isEmpty()) {
            return vocabulary.server(name).map(ToolVocabulary.Server::name);
        }
        if (!allowed.contains(kind)) {
            throw new ConfigException(where + ".kind must be one of " + allowed + " (or left out: its tools are then "
                    + "not understood and need a person unless autonomous_operations names them), was '" + kind + "'");
        }
        return Optional.of(kind);
    }

    public boolean offeredTo(Crew crew) {
        return crews.contains(crew);
    }
}
