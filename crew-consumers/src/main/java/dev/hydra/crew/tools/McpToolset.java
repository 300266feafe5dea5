package dev.hydra.crew.tools;

import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.tools.McpServerConfig;
import dev.hydra.topics.tools.ToolKind;
import dev.hydra.topics.tools.ToolVocabulary;
import dev.langchain4j.agent.tool.ToolSpecification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The discovered tools of the MCP servers one crew is offered ({@code crews.mcpServers[].crews}), as
 * agents see them: the server's own description and JSON schema under the model-facing name
 * {@code SERVER__TOOL} (see {@link #modelName}). A call of one becomes a {@code ToolCall} with
 * server = the configured name and tool = the MCP name, judged by the constitution like any other.
 * A server that is down when the crew starts is asked again at the next task.
 */
public final class McpToolset implements AutoCloseable {

    /** One discovered tool: the name the model calls, where it runs, what the vocabulary knows of it. */
    public record McpTool(String name, McpServerConfig server, String tool, ToolSpecification specification,
                          Optional<ToolKind> kind) {

        public String qualified() {
            return server.name() + "." + tool;
        }

        /** The resources a call touches, read through its kind's roles; none can be named for an unknown tool. */
        public List<String> resources(Map<String, Object> arguments) {
            return kind.map(k -> k.resources(arguments)).orElse(List.of());
        }
    }

    /** Between a server's name and its tool's in a model-facing name; no built-in offer name has it. */
    public static final String SEPARATOR = "__";
    /** What OpenAI-compatible APIs accept as a function name. */
    private static final Pattern MODEL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Pattern NOT_ALLOWED = Pattern.compile("[^a-zA-Z0-9_-]");
    private static final McpToolset NONE = new McpToolset(new McpServers(List.of(), Duration.ZERO),
            ToolVocabulary.standard());

    private final McpServers servers;
    private final ToolVocabulary vocabulary;

    public McpToolset(McpServers servers, ToolVocabulary vocabulary) {
        this.servers = servers;
        this.vocabulary = vocabulary;
    }

    /** The servers offered to {@code crew}, understood through the vocabulary with every configured server. */
    public static McpToolset forCrew(HydraConfig config, Crew crew, Duration timeout) {
        List<McpServerConfig> configured = McpServerConfig.from(config);
        return new McpToolset(new McpServers(configured.stream().filter(s -> s.offeredTo(crew)).toList(), timeout),
                ToolVocabulary.standard().withServers(configured));
    }

    public static McpToolset none() {
        return NONE;
    }

    /**
     * The model-facing name of {@code tool} on {@code server}: {@code SERVER__TOOL}, every character
     * outside {@code [a-zA-Z0-9_-]} replaced by {@code _}, cut to 64 characters.
     */
    public static String modelName(String server, String tool) {
        String name = NOT_ALLOWED.matcher(server + SEPARATOR + tool).replaceAll("_");
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    /** The configured servers of this set, reachable or not. */
    public List<McpServerConfig> servers() {
        return servers.configured();
    }

    /** Every tool the servers listed, connecting those that have not answered yet; a server that is down adds none. */
    public List<McpTool> tools() {
        List<McpTool> tools = new ArrayList<>();
        for (McpServerConfig server : servers.configured()) {
            for (ToolSpecification spec : servers.tools(server.name()).orElse(List.of())) {
                String name = modelName(server.name(), spec.name());
                if (!MODEL_NAME.matcher(name).matches() || tools.stream().anyMatch(t -> t.name().equals(name))) {
                    continue; // an empty or colliding name cannot be called by a model
                }
                tools.add(new McpTool(name, server, spec.name(), spec.toBuilder().name(name).build(),
                        vocabulary.find(server.name(), spec.name())));
            }
        }
        return List.copyOf(tools);
    }

    /** Connects the servers on a thread of its own, so that a slow one does not hold up its user's start. */
    public void discoverInBackground(String owner) {
        servers.discoverInBackground(owner);
    }

    @Override
    public void close() {
        servers.close();
    }
}
