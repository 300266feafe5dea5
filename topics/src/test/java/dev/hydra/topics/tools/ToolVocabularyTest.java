package dev.hydra.topics.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolVocabularyTest {

    private static List<McpServerConfig> servers(String yaml) {
        return McpServerConfig.from(HydraConfig.of(yaml, Map.of()));
    }

    @Test
    void offersTheBuiltInToolsUnderTheNamesModelsSeeWithTheirCanonicalServers() {
        ToolVocabulary v = ToolVocabulary.standard();
        assertThat(v.offered()).extracting(t -> t.offer().orElseThrow().name()).containsExactly(
                "read_file", "write_file", "delete_file", "move_file", "run_shell", "git_status", "git_diff",
                "git_checkout", "git_commit", "git_push", "core_memory_append", "core_memory_replace",
                "archival_memory_insert", "archival_memory_search", "recall_search", "web_search", "web_fetch",
                "restart_container");
        assertThat(v.offered("core_memory_append")).get().extracting(ToolKind::qualified)
                .isEqualTo("memory.core_memory_append");
        assertThat(v.offered("core_memory_append").orElseThrow().effect()).isEqualTo(ToolEffect.REMEMBER);
        assertThat(v.offered("web_search")).get().extracting(ToolKind::qualified).isEqualTo("searxng-mcp.search");
        assertThat(v.offered("git_commit").orElseThrow().offer().orElseThrow().listArguments()).containsExactly("files");
        assertThat(v.offered("read_file").orElseThrow().offer().orElseThrow().description()).contains("/workspace");
    }

    @Test
    void findsToolsWithoutRegardToCaseAndKnowsTheirEffectAndRoles() {
        ToolKind write = ToolVocabulary.standard().find("FileSystem-MCP.Write_File").orElseThrow();
        assertThat(write.effect()).isEqualTo(ToolEffect.WRITE);
        assertThat(write.keys("path")).containsExactly("path", "file", "filename");
        assertThat(ToolVocabulary.standard().find("filesystem-mcp.chmod")).isEmpty();
    }

    @Test
    void resourcesAreReadThroughTheRoles() {
        ToolVocabulary v = ToolVocabulary.standard();
        assertThat(v.find("filesystem-mcp.move_file").orElseThrow()
                .resources(Map.of("from", "a.txt", "to", "/workspace/b.txt")))
                .containsExactly("path:/workspace/a.txt", "path:/workspace/b.txt");
        assertThat(v.find("docker-mcp.restart_container").orElseThrow().resources(Map.of("name", "letta")))
                .containsExactly("service:letta");
        assertThat(v.find("git-mcp.push").orElseThrow().resources(Map.of("branch", "feature")))
                .containsExactly("repo:workspace@feature");
    }

    @Test
    void aServerConfiguredWithAKindAnswersWithThatKindsToolsUnderItsOwnName() {
        ToolVocabulary v = ToolVocabulary.standard().withServers(servers("""
                crews:
                  mcpServers:
                    - {name: fs, command: [npx, server-filesystem, /srv], kind: server-filesystem, crews: [development]}
                    - {name: postgres-mcp, url: "http://127.0.0.1:9004/mcp"}
                    - {name: misc, url: "http://127.0.0.1:9005/mcp"}
                """));
        ToolKind edit = v.find("fs.edit_file").orElseThrow();
        assertThat(edit.server()).isEqualTo("fs");
        assertThat(edit.effect()).isEqualTo(ToolEffect.WRITE);
        assertThat(v.kindName("fs.edit_file")).contains("server-filesystem.edit_file");
        assertThat(v.kindName("postgres-mcp.execute_sql")).isEmpty();
        assertThat(v.find("postgres-mcp.execute_sql")).get().extracting(ToolKind::effect).isEqualTo(ToolEffect.SQL);
        assertThat(v.find("misc.anything")).isEmpty();
        assertThat(v.server("misc")).isPresent();
        assertThat(v.toolsOf("fs")).extracting(ToolKind::tool).contains("read_text_file", "write_file", "move_file");
    }

    @Test
    void readsEachServersTransportKindAndCrews() {
        List<McpServerConfig> list = servers("""
                crews:
                  mcpServers:
                    - {name: fs, command: [npx, "-y", server-filesystem], kind: server-filesystem, crews: [research, development]}
                    - {name: n8n, url: "http://127.0.0.1:5678/mcp"}
                """);
        assertThat(list.get(0).command()).containsExactly("npx", "-y", "server-filesystem");
        assertThat(list.get(0).url()).isEmpty();
        assertThat(list.get(0).offeredTo(Crew.DEVELOPMENT)).isTrue();
        assertThat(list.get(0).offeredTo(Crew.INFRASTRUCTURE)).isFalse();
        assertThat(list.get(1).kind()).contains("n8n");
        assertThat(list.get(1).url()).contains("http://127.0.0.1:5678/mcp");
        assertThat(servers("crews: {}")).isEmpty();
    }

    @Test
    void aServerNamedLikeABuiltInRefusesToStartNamingTheBuiltIns() {
        assertThatThrownBy(() -> servers("""
                crews:
                  mcpServers:
                    - {name: filesystem-mcp, command: [npx, server-filesystem]}
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("crews.mcpServers[0] (filesystem-mcp)")
                .hasMessageContaining("[filesystem-mcp, git-mcp, memory, shell]");
    }

    @Test
    void badEntriesNameTheFieldAndWhatIsAllowed() {
        assertThatThrownBy(() -> servers("crews: {mcpServers: [{name: fs, command: [x], kind: filesystem}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".kind must be one of [")
                .hasMessageContaining("server-filesystem");
        assertThatThrownBy(() -> servers("crews: {mcpServers: [{name: fs, command: [x], crews: [dev]}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".crews: crew must be one of");
        assertThatThrownBy(() -> servers("crews: {mcpServers: [{name: fs, command: [x], url: 'http://127.0.0.1:1'}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("exactly one of command");
        assertThatThrownBy(() -> servers("crews: {mcpServers: [{name: fs, comand: [x]}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mcpServers[0].comand is not a setting");
        assertThatThrownBy(() -> servers("crews: {mcpServers: [{name: 'my server', url: 'http://127.0.0.1:1'}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".name must be");
        assertThatThrownBy(() -> servers("crews: {mcpServers: [{name: a, url: 'http://127.0.0.1:1'}, {name: A, url: 'http://127.0.0.1:2'}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("a second server named A");
    }
}
