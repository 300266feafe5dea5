package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hydra.topics.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hydra tools}: what each agent is offered, from where, and the constitution's stance on it. */
class ToolsCommandTest {
    /** The official servers crew-consumers' tests pin and .ci/run installs. */
    private static final Path NPM = Path.of("../crew-consumers/src/test/mcp/node_modules/@modelcontextprotocol")
            .toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run tools(List<Map<String, Object>> servers, String... args) throws Exception {
        Path config = Files.writeString(dir.resolve("hydra.yaml"), Json.write(Map.of(
                "constitution", Map.of("file", Path.of("../config/constitution.yaml").toAbsolutePath().normalize()
                        .toString()),
                "crews", Map.of("toolTimeout", "10s", "mcpServers", servers))));
        CommandLine cli = HydraCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new java.util.ArrayList<>(List.of("tools", "--config", config.toString()));
        all.addAll(List.of(args));
        int code = cli.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void listsACrewsBuiltInToolsWithTheConstitutionsStanceAndAServerThatIsDown() throws Exception {
        Run run = tools(List.of(Map.of("name", "fs", "kind", "server-filesystem", "crews", List.of("development"),
                "command", List.of("false"))), "--crew", "development");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("crew development").doesNotContain("crew research")
                .contains("MCP server fs (kind server-filesystem, stdio false): unavailable")
                .contains("agent coder").contains("agent integrator");
        assertThat(line(run, "git_status")).contains("built-in git-mcp.status")
                .contains("ALLOW by autonomous_operations read_only");
        assertThat(line(run, "write_file")).contains("built-in filesystem-mcp.write_file").contains("judged by its paths");
        assertThat(line(run, "run_shell")).contains("judged by its arguments (shell, named by autonomous_operations "
                + "sandboxed_code_execution)");
        assertThat(line(run, "git_push")).contains("judged by its arguments (push, named by autonomous_operations");
    }

    @Test
    void listsTheDiscoveredToolsOfTheOfficialServersByKindOrAsUnknown() throws Exception {
        assumeTrue(Files.isRegularFile(NPM.resolve("server-filesystem/dist/index.js")),
                "the pinned MCP servers are not installed: run `npm ci` in crew-consumers/src/test/mcp (.ci/run does)");
        Run run = tools(List.of(
                Map.of("name", "fs", "kind", "server-filesystem", "crews", List.of("research"), "command",
                        List.of("node", NPM.resolve("server-filesystem/dist/index.js").toString(), dir.toString())),
                Map.of("name", "everything", "crews", List.of("research"), "command",
                        List.of("node", NPM.resolve("server-everything/dist/index.js").toString(), "stdio"))),
                "--crew", "research");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(line(run, "fs__write_file")).contains("MCP fs.write_file").contains("judged by its paths");
        assertThat(line(run, "fs__read_text_file")).contains("ALLOW by autonomous_operations read_only");
        assertThat(line(run, "everything__echo")).contains("MCP everything.echo")
                .contains("NEEDS_APPROVAL: unknown to the constitution");
        assertThat(run.out()).doesNotContain("unavailable");
    }

    @Test
    void anUnknownCrewIsRefusedNamingTheCrews() throws Exception {
        Run run = tools(List.of(), "--crew", "marketing");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("marketing").contains("development");
    }

    /** The first line listing {@code tool}. */
    private static String line(Run run, String tool) {
        return run.out().lines().filter(l -> l.strip().startsWith(tool + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(tool + " is not listed:\n" + run.out()));
    }
}
