package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.crew.tools.McpServers;
import dev.hydra.crew.tools.McpToolset;
import dev.hydra.crew.tools.ToolCatalog;
import dev.hydra.crew.tools.ToolFailure;
import dev.hydra.topics.Json;
import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.tools.McpServerConfig;
import dev.hydra.topics.tools.ToolVocabulary;
import dev.langchain4j.agent.tool.ToolSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MCP servers discovered with tools/list and called, against the official npm servers (skipped with
 * a message where node is missing) and against a twin built with the MCP Java SDK (always).
 */
class McpServersTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Path CONSTITUTION = Path.of("../config/constitution.yaml");

    @TempDir
    Path root;

    /** hydra.yaml's crews.mcpServers with these entries. */
    static HydraConfig config(List<Map<String, Object>> servers) {
        return HydraConfig.of(Json.write(Map.of("crews", Map.of("mcpServers", servers))), Map.of());
    }

    @Test
    void aJavaSdkServerOverStdioIsDiscoveredAndCalled() throws Exception {
        Files.writeString(root.resolve("notes.txt"), "hello");
        try (McpServers servers = McpServers.from(config(List.of(Map.of("name", "fs", "kind", "server-filesystem",
                "command", JavaMcpServer.command(root)))), TIMEOUT)) {
            Map<String, List<ToolSpecification>> found = servers.discover();

            assertThat(found.get("fs")).extracting(ToolSpecification::name)
                    .containsExactly("read_text_file", "write_file", "edit_file", "echo");
            assertThat(found.get("fs").get(0).description()).isEqualTo("Read a text file under the allowed directory");
            assertThat(found.get("fs").get(0).parameters().required()).containsExactly("path");
            assertThat(servers.run("fs", "read_text_file", Map.of("path", root.resolve("notes.txt").toString())))
                    .isEqualTo("hello");
            assertThatThrownBy(() -> servers.run("fs", "read_text_file", Map.of("path", "/etc/hostname")))
                    .isInstanceOf(ToolFailure.class).hasMessageContaining("outside allowed directories");
        }
    }

    @Test
    void theOfficialServerEverythingIsReachedOverStreamableHttp() throws Exception {
        NpmMcpServers.assumeInstalled();
        try (NpmMcpServers.Everything everything = NpmMcpServers.everythingOverHttp();
             McpServers servers = McpServers.from(config(List.of(Map.of("name", "everything", "url",
                     everything.url()))), TIMEOUT)) {
            List<ToolSpecification> tools = servers.discover().get("everything");

            assertThat(tools).extracting(ToolSpecification::name).contains("echo", "get-sum");
            assertThat(servers.run("everything", "echo", Map.of("message", "hydra"))).isEqualTo("Echo: hydra");
        }
    }

    @Test
    void everyToolTheOfficialFilesystemServerListsIsKnownToTheVocabularyByItsKind() throws Exception {
        NpmMcpServers.assumeInstalled();
        HydraConfig config = config(List.of(Map.of("name", "fs", "kind", "server-filesystem", "crews",
                List.of("development"), "command", NpmMcpServers.filesystem(root))));
        try (McpToolset toolset = McpToolset.forCrew(config, Crew.DEVELOPMENT, TIMEOUT)) {
            List<McpToolset.McpTool> tools = toolset.tools();

            assertThat(tools).extracting(McpToolset.McpTool::tool).contains("read_text_file", "write_file",
                    "edit_file", "move_file", "list_allowed_directories");
            // a tool the pinned version adds and tools.table does not know would reach agents un-understood
            assertThat(tools).allSatisfy(tool -> assertThat(tool.kind()).as(tool.qualified()).isPresent());
            Constitution constitution = Constitution.load(CONSTITUTION)
                    .withTools(ToolVocabulary.standard().withServers(McpServerConfig.from(config)));
            assertThat(tools).allSatisfy(tool -> assertThat(judged(constitution, tool.server().name(), tool.tool()))
                    .as(tool.qualified()).doesNotContain("does not know the tool"));
            assertThat(tools).extracting(McpToolset.McpTool::name).contains("fs__write_file");
        }
    }

    @Test
    void everyBuiltInToolAnAgentIsOfferedIsKnownToTheConstitution() {
        Constitution constitution = Constitution.load(CONSTITUTION);
        for (String name : ToolCatalog.names()) {
            ToolCatalog.ToolDef def = ToolCatalog.get(name);
            assertThat(judged(constitution, def.server(), def.tool())).as(name).doesNotContain("does not know the tool");
        }
    }

    /** The constitution's reason for a call of the tool with no arguments. */
    private static String judged(Constitution constitution, String server, String tool) {
        return constitution.check(new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder", server, tool, Map.of(),
                List.of(), null)).reason();
    }

    @Test
    void aServerThatIsDownAtStartDoesNotStopItsUserAndIsReachedOnceItIsUp() throws Exception {
        Path up = root.resolve("up");
        // a server that exits until the file `up` exists, then is the Java SDK server
        List<String> command = List.of("sh", "-c", "test -f '" + up + "' && exec \"$@\"", "sh");
        List<String> whole = new java.util.ArrayList<>(command);
        whole.addAll(JavaMcpServer.command(root));
        try (McpServers servers = McpServers.from(config(List.of(Map.of("name", "later", "command", whole))),
                Duration.ofSeconds(10))) {
            assertThat(servers.discover()).isEmpty();
            assertThatThrownBy(() -> servers.run("later", "echo", Map.of("message", "x")))
                    .isInstanceOf(ToolFailure.class).hasMessageContaining("MCP server later (stdio sh -c");

            Files.writeString(up, "");

            assertThat(servers.run("later", "echo", Map.of("message", "back"))).isEqualTo("Echo: back");
            assertThat(servers.discover()).containsKey("later");
        }
    }

    @Test
    void aConfiguredServerNamedLikeABuiltInRefusesToStart() {
        HydraConfig clash = config(List.of(Map.of("name", "filesystem-mcp", "command", List.of("npx", "x"))));

        assertThatThrownBy(() -> McpToolset.forCrew(clash, Crew.DEVELOPMENT, TIMEOUT))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("crews.mcpServers[0] (filesystem-mcp)")
                .hasMessageContaining("is Hydra's built-in server (built-in: [filesystem-mcp, git-mcp, memory, shell])");
        assertThatThrownBy(() -> McpServers.from(clash, TIMEOUT)).isInstanceOf(ConfigException.class);
    }

    @Test
    void modelFacingNamesJoinServerAndToolAndKeepToWhatModelsAccept() {
        assertThat(McpToolset.modelName("fs", "write_file")).isEqualTo("fs__write_file");
        assertThat(McpToolset.modelName("everything", "get.sum/v2")).isEqualTo("everything__get_sum_v2");
        assertThat(McpToolset.modelName("s", "t".repeat(100))).hasSize(64);
        assertThat(ToolVocabulary.standard().offered()).allSatisfy(tool ->
                assertThat(tool.offer().orElseThrow().name()).doesNotContain(McpToolset.SEPARATOR));
    }
}
