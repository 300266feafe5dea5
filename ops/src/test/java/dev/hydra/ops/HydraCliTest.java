package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HydraCliTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        CommandLine cli = HydraCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void everyCommandHasHelp() {
        for (List<String> command : List.<List<String>>of(List.of(), List.of("up"), List.of("topics"), List.of("submit"), List.of("call"),
                List.of("tail"), List.of("service"), List.of("crew"), List.of("approvals"), List.of("approvals", "approve"))) {
            List<String> withHelp = new java.util.ArrayList<>(command);
            withHelp.add("--help");
            String[] args = withHelp.toArray(String[]::new);
            Run run = run(args);
            assertThat(run.code()).as("exit code of %s --help", command).isZero();
            assertThat(run.out()).as("help of %s", command).contains("Usage: hydra");
        }
    }

    @Test
    void submitRefusesAnInvalidTaskNamingTheFieldAndSendsNothing() throws Exception {
        Path file = dir.resolve("task.json");
        Files.writeString(file, """
                {"priority": 1, "description": "ok", "crew": "infrastructure", "task": {"action": "restart_service"}}
                {"priority": 7, "description": "bad", "crew": "infrastructure", "task": {"action": "restart_service"}}
                """);
        // Port 1 has no broker: validation must fail before any connection is attempted.
        Run run = run("submit", "--bootstrap", "127.0.0.1:1", file.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("task #2").contains("priority");
    }

    @Test
    void submitRefusesAnActionItsCrewDoesNotRunListingTheCrewsActionsAndSendsNothing() throws Exception {
        Path file = dir.resolve("tasks.json");
        Files.writeString(file, """
                {"priority": 3, "description": "ok", "crew": "research", "task": {"action": "research_topic", "topic": "t"}}
                {"priority": 3, "description": "tidy", "crew": "development", "task": {"action": "tidy"}}
                """);
        // Port 1 has no broker: the refusal comes before any connection is attempted, so nothing is sent.
        Run run = run("submit", "--bootstrap", "127.0.0.1:1", file.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("task #2", "task.action 'tidy'", "crew development",
                "[complete_feature, fix_bug, update_documentation, noop]");
    }

    @Test
    void actionsListsWhatEachCrewRunsAndWhoRunsIt() {
        Run all = run("actions");
        assertThat(all.code()).isZero();
        assertThat(all.out()).contains("crew infrastructure", "crew development", "crew research",
                "crew self_improvement");
        assertThat(all.out().lines()).anySatisfy(line -> assertThat(line).contains("restart_service", "executor"))
                .anySatisfy(line -> assertThat(line).contains("research_topic", "agents"));
        Run research = run("actions", "--crew", "research", "--json");
        assertThat(research.code()).isZero();
        assertThat(research.out().lines().map(dev.hydra.topics.Json::parse).map(n -> n.path("action").asText()))
                .containsExactly("research_topic", "evaluate_technology", "noop");
        Run unknown = run("actions", "--crew", "marketing");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("crew must be one of", "marketing");
    }

    @Test
    void aBadSettingIsRefusedNamingTheSettingAndTheAllowedValues() throws Exception {
        Path config = dir.resolve("hydra.yaml");
        Files.writeString(config, "kafka:\n  bootstrap: nonsense\n");
        Run run = run("topics", "--config", config.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("kafka.bootstrap").contains("HYDRA_KAFKA_BOOTSTRAP").contains("HOST:PORT")
                .contains("nonsense");
    }

    @Test
    void aCommandFacingNoBrokerFailsWithOneLineNamingTheAddress() throws Exception {
        String address = "127.0.0.1:" + PipelineScenarios.deadPort();
        Run run = run("topics", "--bootstrap", address);
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().lines().toList()).hasSize(1).first().asString()
                .contains("no Kafka broker at " + address).contains("--bootstrap");
    }

    @Test
    void brokerTakesTheSamePortFlagAsUpAndStillTheOldOne() {
        assertThat(run("broker", "--help").out()).contains("--kafka-port").doesNotContain("--port=");
        CommandLine cli = HydraCli.commandLine();
        CommandLine.ParseResult old = cli.parseArgs("broker", "--port", "39123");
        BrokerCommand broker = (BrokerCommand) old.subcommand().commandSpec().userObject();
        assertThat(broker.port()).isEqualTo(39123);
    }

    @Test
    void aConfigMistakeIsReportedBeforeAnyConnectionIsTried() throws Exception {
        Path config = dir.resolve("hydra.yaml");
        Files.writeString(config, "router:\n  promoteAftr: 5m\n");
        // Port 1 has no broker: the config error must come first, and alone.
        Run run = run("topics", "--config", config.toString(), "--bootstrap", "127.0.0.1:1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("router.promoteAftr: unknown setting; did you mean router.promoteAfter?")
                .doesNotContain("no Kafka broker");
    }

    @Test
    void everyCommandSummaryIsAWholeSentenceAndHelpCarriesNoEscapeCodes() {
        Run run = run("--help");
        assertThat(run.out()).doesNotContain("\u001b[");
        List<String> summaries = new java.util.ArrayList<>();
        for (String line : run.out().substring(run.out().indexOf("Commands:") + "Commands:".length()).lines()
                .filter(l -> !l.isBlank()).toList()) {
            if (line.startsWith("  ") && !line.startsWith("   ")) {
                summaries.add(line.strip());
            } else {
                summaries.set(summaries.size() - 1, summaries.get(summaries.size() - 1) + " " + line.strip());
            }
        }
        assertThat(summaries).hasSizeGreaterThan(10).allSatisfy(summary -> assertThat(summary).endsWith("."));
    }

    @Test
    void durationFlagsTakeTheFormTheConfigUses() {
        CommandLine.ParseResult parsed = HydraCli.commandLine().parseArgs("tail", "hydra.dlq", "--idle-timeout", "5s");
        TailCommand tail = (TailCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(tail.idleTimeout).isEqualTo(java.time.Duration.ofSeconds(5));
    }
}
