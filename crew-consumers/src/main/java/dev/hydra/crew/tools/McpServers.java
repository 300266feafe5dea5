package dev.hydra.crew.tools;

import dev.hydra.topics.Json;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.tools.McpServerConfig;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.transport.McpTransport;
import dev.langchain4j.mcp.client.transport.http.StreamableHttpMcpTransport;
import dev.langchain4j.mcp.client.transport.stdio.StdioMcpTransport;
import dev.langchain4j.service.tool.ToolExecutionResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP servers of {@code crews.mcpServers} in hydra.yaml, each either a local command (stdio)
 * or a URL (streamable HTTP). A client is connected on the first call to its server, so a server
 * that is down only fails the calls that need it.
 */
public final class McpServers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpServers.class);

    /** One configured server: exactly one of {@code command} and {@code url}. */
    public record ServerSpec(String name, List<String> command, String url) {
        public ServerSpec {
            command = command == null ? List.of() : List.copyOf(command);
        }
    }

    private final Map<String, ServerSpec> specs;
    private final Duration timeout;
    private final Map<String, McpClient> clients = new ConcurrentHashMap<>();

    public McpServers(Map<String, ServerSpec> specs, Duration timeout) {
        this.specs = Map.copyOf(specs);
        this.timeout = timeout;
    }

    public static McpServers from(HydraConfig config, Duration timeout) {
        Map<String, ServerSpec> specs = new LinkedHashMap<>();
        for (McpServerConfig server : McpServerConfig.from(config)) {
            specs.put(server.name(), new ServerSpec(server.name(), server.command(), server.url().orElse(null)));
        }
        return new McpServers(specs, timeout);
    }

    public Set<String> names() {
        return specs.keySet();
    }

    public boolean handles(String server) {
        return specs.containsKey(server);
    }

    public Optional<ServerSpec> spec(String server) {
        return Optional.ofNullable(specs.get(server));
    }

    public String run(String server, String tool, Map<String, Object> arguments) throws ToolFailure {
        McpClient client;
        try {
            client = clients.computeIfAbsent(server, this::connect);
        } catch (RuntimeException e) {
            throw new ToolFailure("MCP server " + server + " is unavailable: " + e.getMessage());
        }
        ToolExecutionResult result = client.executeTool(ToolExecutionRequest.builder().name(tool)
                .arguments(Json.write(arguments)).build());
        if (result.isError()) {
            throw new ToolFailure(result.resultText());
        }
        return result.resultText();
    }

    private McpClient connect(String server) {
        ServerSpec spec = specs.get(server);
        McpTransport transport = spec.url() != null
                ? new StreamableHttpMcpTransport.Builder().url(spec.url()).timeout(timeout).build()
                : new StdioMcpTransport.Builder().command(spec.command()).build();
        return new DefaultMcpClient.Builder().key(server).clientName("hydra").transport(transport)
                .toolExecutionTimeout(timeout).build();
    }

    @Override
    public void close() {
        clients.forEach((name, client) -> {
            try {
                client.close();
            } catch (Exception e) {
                LOG.warn("closing MCP client {} failed", name, e);
            }
        });
    }
}
