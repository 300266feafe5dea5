package dev.hydra.crew;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A small MCP server built with the official MCP Java SDK, run as a child JVM over stdio: the twin of
 * the npm servers where node is missing. It serves three tools named and shaped like
 * server-filesystem's (read_text_file, write_file, edit_file), confined to the directory it is started
 * with as that server is, and server-everything's echo.
 */
public final class JavaMcpServer {

    private JavaMcpServer() {
    }

    /** The command that starts it on {@code root}, for {@code crews.mcpServers[].command}. */
    public static List<String> command(Path root) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                // a quick start matters more than peak speed for a few calls
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), JavaMcpServer.class.getName(), root.toString());
    }

    public static void main(String[] args) throws Exception {
        // stdout is the protocol: anything else written to it (a log line) would break it.
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        System.setOut(System.err);
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        McpJsonMapper json = new Jackson2();
        StdioServerTransportProvider transport = new StdioServerTransportProvider(json, System.in, protocol);
        McpSyncServer server = McpServer.sync(transport).serverInfo("hydra-test-java-mcp", "1.0")
                .jsonMapper(json)
                // the tools check their own arguments; the SDK's validator is its Jackson 3 binding
                .validateToolInputs(false)
                .jsonSchemaValidator((schema, arguments) -> JsonSchemaValidator.ValidationResponse.asValid(null))
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(tool("read_text_file", "Read a text file under the allowed directory", List.of("path"),
                                a -> Files.readString(inside(root, a.get("path")))),
                        tool("write_file", "Create or replace a file under the allowed directory",
                                List.of("path", "content"), a -> {
                                    Path file = inside(root, a.get("path"));
                                    Files.writeString(file, String.valueOf(a.get("content")));
                                    return "Successfully wrote to " + file;
                                }),
                        editFile(root),
                        tool("echo", "Echoes back the input string", List.of("message"),
                                a -> "Echo: " + a.get("message")))
                .build();
        // Ends with the test JVM that started it (the client's close does not end the process; left
        // running, each test would leave an orphaned JVM behind).
        CountDownLatch done = new CountDownLatch(1);
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(done::countDown));
        done.await();
        server.close();
        System.exit(0);
    }

    /** The SDK's JSON seam bound to Hydra's Jackson 2 (the SDK's own binding is Jackson 3). */
    private static final class Jackson2 implements McpJsonMapper {
        private final ObjectMapper mapper = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

        private JavaType type(TypeRef<?> ref) {
            return mapper.getTypeFactory().constructType(ref.getType());
        }

        @Override
        public <T> T readValue(String content, Class<T> type) throws IOException {
            return mapper.readValue(content, type);
        }

        @Override
        public <T> T readValue(byte[] content, Class<T> type) throws IOException {
            return mapper.readValue(content, type);
        }

        @Override
        public <T> T readValue(String content, TypeRef<T> type) throws IOException {
            return mapper.readValue(content, type(type));
        }

        @Override
        public <T> T readValue(byte[] content, TypeRef<T> type) throws IOException {
            return mapper.readValue(content, type(type));
        }

        @Override
        public <T> T convertValue(Object from, Class<T> type) {
            return mapper.convertValue(from, type);
        }

        @Override
        public <T> T convertValue(Object from, TypeRef<T> type) {
            return mapper.convertValue(from, type(type));
        }

        @Override
        public String writeValueAsString(Object value) throws IOException {
            return mapper.writeValueAsString(value);
        }

        @Override
        public byte[] writeValueAsBytes(Object value) throws IOException {
            return mapper.writeValueAsBytes(value);
        }
    }

    private interface Body {
        String apply(Map<String, Object> arguments) throws IOException;
    }

    private static SyncToolSpecification tool(String name, String description, List<String> arguments, Body body) {
        Map<String, Object> properties = new java.util.LinkedHashMap<>();
        arguments.forEach(a -> properties.put(a, Map.of("type", "string")));
        return tool(name, description, Map.of("type", "object", "properties", properties, "required", arguments),
                body);
    }

    private static SyncToolSpecification tool(String name, String description, Map<String, Object> schema, Body body) {
        return SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder().name(name).description(description).inputSchema(schema).build())
                .callHandler((exchange, request) -> {
                    try {
                        return CallToolResult.builder().addTextContent(body.apply(request.arguments())).build();
                    } catch (IOException | RuntimeException e) {
                        return CallToolResult.builder().addTextContent("Error: " + e.getMessage()).isError(true).build();
                    }
                }).build();
    }

    /** server-filesystem's edit_file: a list of {oldText, newText} replacements applied in order. */
    private static SyncToolSpecification editFile(Path root) {
        Map<String, Object> edit = Map.of("type", "object", "properties",
                Map.of("oldText", Map.of("type", "string"), "newText", Map.of("type", "string")),
                "required", List.of("oldText", "newText"));
        Map<String, Object> schema = Map.of("type", "object", "properties", Map.of("path", Map.of("type", "string"),
                "edits", Map.of("type", "array", "items", edit)), "required", List.of("path", "edits"));
        return tool("edit_file", "Make line-based edits to a text file under the allowed directory", schema, a -> {
            Path file = inside(root, a.get("path"));
            String text = Files.readString(file);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> edits = (List<Map<String, Object>>) a.get("edits");
            List<String> missing = new ArrayList<>();
            for (Map<String, Object> e : edits) {
                String old = String.valueOf(e.get("oldText"));
                if (!text.contains(old)) {
                    missing.add(old);
                }
                text = text.replace(old, String.valueOf(e.get("newText")));
            }
            if (!missing.isEmpty()) {
                throw new IOException("could not find " + missing + " in " + file);
            }
            Files.writeString(file, text);
            return "edited " + file;
        });
    }

    private static Path inside(Path root, Object path) throws IOException {
        Path p = root.resolve(String.valueOf(path)).toAbsolutePath().normalize();
        if (!p.startsWith(root)) {
            throw new IOException("Access denied - path outside allowed directories: " + p + " not in " + root);
        }
        return p;
    }
}
