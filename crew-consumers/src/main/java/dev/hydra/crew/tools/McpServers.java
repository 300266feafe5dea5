package dev.hydra.crew.tools;

import dev.hydra.topics.Json;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.tools.McpServerConfig;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
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
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clients of the MCP servers of {@code crews.mcpServers} in hydra.yaml, each either a local command
 * (stdio) or a URL (streamable HTTP). {@link #discover} connects them all and lists their tools; a
 * server that is down is logged by name and does not stop its user: the next listing or call tries it
 * again, and a call that fails on the connection drops the client so that the one after reconnects.
 */
public final class McpServers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpServers.class);

    private final Map<String, McpServerConfig> servers;
    private final Duration timeout;
    private final Map<String, McpClient> clients = new ConcurrentHashMap<>();
    private final Map<String, List<ToolSpecification>> tools = new ConcurrentHashMap<>();

    public McpServers(List<McpServerConfig> servers, Duration timeout) {
        Map<String, McpServerConfig> byName = new LinkedHashMap<>();
        servers.forEach(server -> byName.put(server.name(), server));
        this.servers = java.util.Collections.unmodifiableMap(byName);
        this.timeout = timeout;
    }

    /** The configured servers that {@code which} selects (e.g. those offered to one crew). */
    public static McpServers from(HydraConfig config, Duration timeout, Predicate<McpServerConfig> which) {
        return new McpServers(McpServerConfig.from(config).stream().filter(which).toList(), timeout);
    }

    public static McpServers from(HydraConfig config, Duration timeout) {
        return from(config, timeout, server -> true);
    }

    public Set<String> names() {
        return servers.keySet();
    }

    public List<McpServerConfig> configured() {
        return List.copyOf(servers.values());
    }

    public boolean handles(String server) {
        return servers.containsKey(server);
    }

    /** How a server is reached, for logs and {@code hydra tools}: {@code stdio: npx ...} or {@code http: URL}. */
    public static String transport(McpServerConfig server) {
        String command = String.join(" ", server.command());
        // a command line can be long (a classpath): its start says which program it is
        return server.url().map(url -> "http " + url)
                .orElseGet(() -> "stdio " + (command.length() <= 120 ? command : command.substring(0, 117) + "..."));
    }

    /** Connects every server not yet connected and lists its tools; returns the servers that answered. */
    public Map<String, List<ToolSpecification>> discover() {
        Map<String, List<ToolSpecification>> found = new LinkedHashMap<>();
        for (String server : servers.keySet()) {
            tools(server).ifPresent(list -> found.put(server, list));
        }
        return found;
    }

    /** {@link #discover} on a thread of its own, so that a slow server does not hold up its user's start. */
    public void discoverInBackground(String owner) {
        if (servers.isEmpty()) {
            return;
        }
        Thread discovery = new Thread(this::discover, owner + "-mcp-discovery");
        discovery.setDaemon(true);
        discovery.start();
    }

    /** The tools {@code server} listed, listing them now if it has not answered yet; empty while it is down. */
    public Optional<List<ToolSpecification>> tools(String server) {
        List<ToolSpecification> known = tools.get(server);
        if (known != null) {
            return Optional.of(known);
        }
        try {
            List<ToolSpecification> listed = List.copyOf(client(server).listTools());
            tools.put(server, listed);
            LOG.info("MCP server {} ({}): {} tools: {}", server, transport(servers.get(server)), listed.size(),
                    listed.stream().map(ToolSpecification::name).toList());
            return Optional.of(listed);
        } catch (RuntimeException e) {
            drop(server);
            LOG.warn("MCP server {} ({}) is unavailable, tried again on its next use: {}", server,
                    transport(servers.get(server)), message(e));
            return Optional.empty();
        }
    }

    public String run(String server, String tool, Map<String, Object> arguments) throws ToolFailure {
        ToolExecutionResult result;
        try {
            result = client(server).executeTool(ToolExecutionRequest.builder().name(tool)
                    .arguments(Json.write(arguments)).build());
        } catch (RuntimeException e) {
            // The connection may be gone (the process exited, the service restarted): the next call reconnects.
            drop(server);
            throw new ToolFailure("MCP server " + server + " (" + transport(servers.get(server)) + ") failed on "
                    + tool + ": " + message(e));
        }
        if (result.isError()) {
            throw new ToolFailure(result.resultText());
        }
        return result.resultText();
    }

    private McpClient client(String server) {
        McpServerConfig config = servers.get(server);
        if (config == null) {
            throw new IllegalArgumentException("no MCP server named " + server + " (configured: " + names() + ")");
        }
        return clients.computeIfAbsent(server, name -> connect(config));
    }

    private McpClient connect(McpServerConfig server) {
        McpTransport transport = server.url().isPresent()
                ? new StreamableHttpMcpTransport.Builder().url(server.url().get()).timeout(timeout).build()
                : new StdioMcpTransport.Builder().command(server.command()).build();
        return new DefaultMcpClient.Builder().key(server.name()).clientName("hydra").transport(transport)
                .initializationTimeout(timeout).toolExecutionTimeout(timeout).build();
    }

    private void drop(String server) {
        tools.remove(server);
        McpClient client = clients.remove(server);
        if (client != null) {
            closeQuietly(server, client);
        }
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    private static void closeQuietly(String name, McpClient client) {
        try {
            client.close();
        } catch (Exception e) {
            LOG.warn("closing MCP client {} failed", name, e);
        }
    }

    @Override
    public void close() {
        clients.forEach(McpServers::closeQuietly);
        clients.clear();
        tools.clear();
    }
}
