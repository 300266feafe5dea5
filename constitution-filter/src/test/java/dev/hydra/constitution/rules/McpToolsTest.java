package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.tools.McpServerConfig;
import dev.hydra.topics.tools.ToolKind;
import dev.hydra.topics.tools.ToolVocabulary;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The constitution judges the tools of a configured MCP server by what its kind's tools mean: a
 * server-filesystem write by its path, a read as a read; a tool no kind explains waits for a person.
 */
class McpToolsTest {
    private static final ToolVocabulary TOOLS = ToolVocabulary.standard().withServers(McpServerConfig.from(
            HydraConfig.of("""
                    crews:
                      mcpServers:
                        - {name: fs, command: [npx, server-filesystem, /workspace], kind: server-filesystem}
                        - {name: everything, url: "http://127.0.0.1:1/mcp"}
                    """, Map.of())));
    private static final Constitution CONSTITUTION = Constitution.load(Cases.CONSTITUTION).withTools(TOOLS);

    private static Ruling check(String server, String tool, Map<String, Object> arguments) {
        return CONSTITUTION.check(new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder", server, tool, arguments,
                List.of(), null));
    }

    @Test
    void allowsAnMcpWriteInsideTheWorkspaceByItsPath() {
        assertThat(check("fs", "write_file", Map.of("path", "/workspace/src/app.py", "content", "print(1)"))
                .decision()).isEqualTo(Decision.ALLOW);
        assertThat(check("fs", "edit_file", Map.of("path", "/workspace/src/app.py",
                "edits", List.of(Map.of("oldText", "1", "newText", "2")))).decision()).isEqualTo(Decision.ALLOW);
    }

    @Test
    void parksAnMcpWriteOutsideTheAllowedPaths() {
        Ruling ruling = check("fs", "write_file", Map.of("path", "/etc/cron.d/job", "content", "* * * * * root id"));
        assertThat(ruling.decision()).isEqualTo(Decision.NEEDS_APPROVAL);
        assertThat(ruling.reason()).contains("/etc/cron.d/job");
        assertThat(check("fs", "move_file", Map.of("source", "/workspace/a", "destination", "/root/.bashrc"))
                .decision()).isEqualTo(Decision.NEEDS_APPROVAL);
    }

    @Test
    void deniesAnMcpWriteOverTheConstitution() {
        assertThat(check("fs", "write_file", Map.of("path", Cases.CONSTITUTION.toAbsolutePath().toString(),
                "content", "immutable_constraints: []")).decision()).isEqualTo(Decision.DENY);
    }

    @Test
    void anAllowlistEntryNamingAKindsToolCoversEveryServerOfThatKind() {
        assertThat(check("fs", "read_text_file", Map.of("path", "/workspace/README.md")).decision())
                .isEqualTo(Decision.ALLOW);
    }

    @Test
    void aCheckoutOfTheWorkspaceRepositoryIsJudgedAsAWriteOfTheWorkspace() throws Exception {
        assertThat(ToolVocabulary.standard().find("git-mcp.checkout").orElseThrow().effect().word()).isEqualTo("write");
        assertThat(check("git-mcp", "checkout", Map.of("branch", "feature/x")).decision()).isEqualTo(Decision.ALLOW);

        String text = Files.readString(Cases.CONSTITUTION);
        String entry = "  - operation: workspace_files\n    paths: [\"/workspace/**\"]\n";
        assertThat(text).contains(entry);
        Constitution noWorkspace = Constitution.parse(text.replace(entry, ""), "no workspace_files").withTools(TOOLS);
        Ruling ruling = noWorkspace.check(new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder", "git-mcp", "checkout",
                Map.of("branch", "feature/x"), List.of(), null));
        assertThat(ruling.decision()).isEqualTo(Decision.NEEDS_APPROVAL);
        assertThat(ruling.reason()).contains("/workspace");
        // a read of the same repository is still a read, whatever covers the workspace's files
        assertThat(noWorkspace.check(new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder", "git-mcp", "status",
                Map.of(), List.of(), null)).decision()).isEqualTo(Decision.ALLOW);
    }

    @Test
    void aToolNoKindExplainsWaitsForAPerson() {
        Ruling ruling = check("everything", "echo", Map.of("message", "hi"));
        assertThat(ruling.decision()).isEqualTo(Decision.NEEDS_APPROVAL);
        assertThat(ruling.reason()).contains("does not know the tool everything.echo");
        assertThat(check("fs", "chmod_everything", Map.of()).decision()).isEqualTo(Decision.NEEDS_APPROVAL);
    }

    @Test
    void everyToolOfTheVocabularyIsUnderstoodByTheConstitution() {
        for (String server : List.of("filesystem-mcp", "shell", "git-mcp", "searxng-mcp", "fetch-mcp", "docker-mcp",
                "github-mcp", "n8n", "postgres-mcp", "qdrant-mcp", "server-filesystem", "mcp-server-git",
                "server-postgres")) {
            for (ToolKind tool : ToolVocabulary.standard().toolsOf(server)) {
                Ruling ruling = Constitution.load(Cases.CONSTITUTION).check(new ToolCall(null, "task-1",
                        Crew.DEVELOPMENT, "coder", tool.server(), tool.tool(), Map.of(), List.of(), null));
                assertThat(ruling.reason()).as(tool.qualified()).doesNotContain("does not know the tool");
            }
        }
    }
}
