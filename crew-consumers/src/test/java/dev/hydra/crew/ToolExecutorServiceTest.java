package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hydra.crew.tools.ToolExecutorService;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The tool executor on a real broker: approved calls run once, answers keyed by call id. */
@ExtendWith(TestBroker.class)
class ToolExecutorServiceTest {
    private static final Duration PATIENCE = Duration.ofSeconds(45);
    private static KafkaTestCluster cluster;
    private static EventProducer producer;

    @TempDir
    Path workDir;
    private KafkaConsumer<String, byte[]> answers;
    private final List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startBroker() {
        cluster = TestBroker.get();
        producer = new EventProducer(cluster.clientProps(), "tool-executor-test");
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
    }

    @BeforeEach
    void readAnswers() throws Exception {
        Lanes.skipToEnd(cluster, ToolExecutorService.GROUP_ID, List.of(Topics.TOOLCALLS_APPROVED));
        answers = cluster.consumer(Topics.TOOLCALLS_RESULTS.name(), Topics.DLQ.name());
    }

    @AfterEach
    void closeAnswers() {
        answers.close();
    }

    private HydraConfig config() {
        return HydraConfig.of("""
                crews:
                  pollTimeout: 100ms
                  shellTimeout: 20s
                """, Map.of());
    }

    private static ToolCall shell(String command) {
        return new ToolCall(UUID.randomUUID().toString(), "task-" + UUID.randomUUID(), Crew.DEVELOPMENT, "tester",
                "shell", "run", Map.of("command", command), List.of(), Instant.now());
    }

    private void approve(ToolCall call) throws Exception {
        producer.sendWithHeaders(Topics.TOOLCALLS_APPROVED, call.taskId(), call,
                TestSigning.signed(EventHeaders.of(Topics.TOOLCALLS_APPROVED, call.taskId()), call)).get();
    }

    private List<ConsumerRecord<String, byte[]>> poll() {
        seen.addAll(KafkaTestCluster.poll(answers));
        return seen;
    }

    private List<ToolResult> resultsOf(String callId) {
        return poll().stream().filter(r -> r.topic().equals(Topics.TOOLCALLS_RESULTS.name()) && callId.equals(r.key()))
                .map(r -> Topics.TOOLCALLS_RESULTS.valueSerde().deserialize(r.topic(), r.value())).toList();
    }

    @Test
    void approvedCallRedeliveredWithTheSameIdRunsOnceAndIsAnsweredTwice() throws Exception {
        try (ToolExecutorService executor = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            executor.start();
            ToolCall call = shell("echo ran >> count.txt; echo counted");

            approve(call);
            approve(call);

            await().atMost(PATIENCE).until(() -> resultsOf(call.id()).size() == 2);
            List<ToolResult> results = resultsOf(call.id());
            assertThat(results).extracting(ToolResult::status).containsOnly(ToolStatus.OK);
            assertThat(results).extracting(ToolResult::output).containsOnly("counted\n");
            assertThat(Files.readAllLines(executor.workspaceRoot().resolve("count.txt"))).containsExactly("ran");
        }
    }

    @Test
    void aRedeliveredFileReadIsReadAgainAndLeavesNothingInTheJournal() throws Exception {
        try (ToolExecutorService executor = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            executor.start();
            Path file = executor.workspaceRoot().resolve("notes.txt");
            Files.writeString(file, "first");
            ToolCall read = new ToolCall(UUID.randomUUID().toString(), "task-" + UUID.randomUUID(), Crew.DEVELOPMENT,
                    "tester", "filesystem-mcp", "read_file", Map.of("path", "/workspace/notes.txt"),
                    List.of("path:/workspace/notes.txt"), Instant.now());

            approve(read);
            await().atMost(PATIENCE).until(() -> resultsOf(read.id()).size() == 1);
            Files.writeString(file, "second");
            approve(read);

            await().atMost(PATIENCE).until(() -> resultsOf(read.id()).size() == 2);
            assertThat(resultsOf(read.id())).extracting(ToolResult::status).containsOnly(ToolStatus.OK);
            assertThat(resultsOf(read.id())).extracting(ToolResult::output).containsExactly("first", "second");
            Path journal = workDir.toAbsolutePath().normalize().resolve(".hydra").resolve("tool-calls.journal");
            assertThat(!Files.exists(journal) || !Files.readString(journal).contains(read.id()))
                    .as("a read is not journaled").isTrue();
        }
    }

    @Test
    void shellCallRunsInTheSandboxSeeingOnlyItAndCannotWriteOutsideTheWorkspace() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed: apt-get install bubblewrap");
        Path outside = workDir.resolve("outside.txt");
        try (ToolExecutorService executor = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            executor.start();
            ToolCall view = shell("cat /etc/hostname; pwd; ls /");
            ToolCall escape = shell("echo x > " + outside + " || echo x > /usr/escaped || echo refused");

            approve(view);
            approve(escape);

            await().atMost(PATIENCE).until(() -> !resultsOf(view.id()).isEmpty() && !resultsOf(escape.id()).isEmpty());
            ToolResult seen = resultsOf(view.id()).get(0);
            assertThat(seen.status()).isEqualTo(ToolStatus.OK);
            assertThat(seen.output().lines().toList()).startsWith("sandbox", "/workspace").contains("workspace", "usr")
                    .doesNotContain("root", "home", "work");
            assertThat(resultsOf(escape.id()).get(0).output()).endsWith("refused\n");
            assertThat(outside).doesNotExist();
            assertThat(Path.of("/usr/escaped")).doesNotExist();
            assertThat(executor.healthNote()).isEmpty();
        }
    }

    @Test
    void withTheSandboxTurnedOffCommandsRunOnTheHostAndHealthSaysSo() throws Exception {
        HydraConfig off = HydraConfig.of("crews: {pollTimeout: 100ms, sandbox: none}", Map.of());
        try (ToolExecutorService executor = new ToolExecutorService(off, cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            executor.start();
            // the executor's own directory beside the workspace: hidden by the sandbox, there without it
            ToolCall call = shell("test -d " + workDir.resolve(".hydra") + " && echo unconfined");

            approve(call);

            await().atMost(PATIENCE).until(() -> !resultsOf(call.id()).isEmpty());
            assertThat(resultsOf(call.id()).get(0).output()).isEqualTo("unconfined\n");
            assertThat(executor.healthNote()).get().asString().contains("crews.sandbox: none");
        }
    }

    @Test
    void secretInAToolsOutputIsRedactedBeforeItIsPublished() throws Exception {
        try (ToolExecutorService executor = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            executor.start();
            Files.writeString(executor.workspaceRoot().resolve(".env"), "OPENAI_API_KEY=" + TestRedactor.SECRET + "\n");
            ToolCall call = shell("cat .env");

            approve(call);

            await().atMost(PATIENCE).until(() -> !resultsOf(call.id()).isEmpty());
            ToolResult result = resultsOf(call.id()).get(0);
            assertThat(result.status()).isEqualTo(ToolStatus.OK);
            assertThat(result.output()).isEqualTo("OPENAI_API_KEY=[REDACTED:openai_api_key]\n")
                    .doesNotContain(TestRedactor.SECRET);
        }
    }

    @Test
    void callInterruptedByACrashIsNotRepeatedByTheNextExecutor() throws Exception {
        ToolCall call = shell("echo started >> crash.txt; sleep 30");
        Path marker;
        try (ToolExecutorService first = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            first.start();
            marker = first.workspaceRoot().resolve("crash.txt");
            approve(call);
            await().atMost(PATIENCE).until(() -> Files.exists(marker));
        } // closed mid-command: the command is killed and the call never acknowledged

        try (ToolExecutorService second = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            second.start();
            await().atMost(PATIENCE).until(() -> !resultsOf(call.id()).isEmpty());
        }
        ToolResult result = resultsOf(call.id()).get(0);
        assertThat(result.status()).isEqualTo(ToolStatus.ERROR);
        assertThat(result.output()).contains("never confirmed").contains("not repeated");
        assertThat(Files.readAllLines(marker)).containsExactly("started");
    }

    @Test
    void callToAServerThatIsNotConfiguredIsAnsweredWithAnError() throws Exception {
        try (ToolExecutorService executor = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            executor.start();
            ToolCall call = new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder", "postgres-mcp", "execute_sql",
                    Map.of("sql", "select 1"), List.of("db:hydra"), Instant.now());

            approve(call);

            await().atMost(PATIENCE).until(() -> !resultsOf(call.id()).isEmpty());
            ToolResult result = resultsOf(call.id()).get(0);
            assertThat(result.status()).isEqualTo(ToolStatus.ERROR);
            assertThat(result.output()).contains("no tool server named 'postgres-mcp' is configured");
        }
    }

    @Test
    void malformedApprovedCallGoesToTheDeadLetterQueueAndTheNextCallStillRuns() throws Exception {
        try (ToolExecutorService executor = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            executor.start();
            producer.sendRaw(new ProducerRecord<>(Topics.TOOLCALLS_APPROVED.name(),
                    "broken".getBytes(StandardCharsets.UTF_8),
                    "{\"server\": \"shell\"}".getBytes(StandardCharsets.UTF_8))).get();
            ToolCall next = shell("echo fine");
            approve(next);

            await().atMost(PATIENCE).until(() -> !resultsOf(next.id()).isEmpty());
            await().atMost(PATIENCE).until(() -> poll().stream()
                    .anyMatch(r -> r.topic().equals(Topics.DLQ.name()) && "broken".equals(r.key())));
            ConsumerRecord<String, byte[]> letter = seen.stream()
                    .filter(r -> r.topic().equals(Topics.DLQ.name()) && "broken".equals(r.key())).findFirst().orElseThrow();
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.SOURCE_TOPIC))
                    .isEqualTo(Topics.TOOLCALLS_APPROVED.name());
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR)).contains("taskId");
        }
    }

    @Test
    void anUnsignedApprovedCallIsNeverRunButRefusedToTheResultsAndTheDeadLetterQueue() throws Exception {
        try (ToolExecutorService executor = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            executor.start();
            ToolCall forged = shell("echo forged > forged.txt");
            producer.send(Topics.TOOLCALLS_APPROVED, forged.id(), forged, forged.taskId()).get();

            await().atMost(PATIENCE).until(() -> !resultsOf(forged.id()).isEmpty());
            ToolResult refused = resultsOf(forged.id()).get(0);
            assertThat(refused.status()).isEqualTo(ToolStatus.REFUSED);
            assertThat(refused.output()).contains("no hydra-signature header");
            await().atMost(PATIENCE).until(() -> poll().stream()
                    .anyMatch(r -> r.topic().equals(Topics.DLQ.name()) && forged.id().equals(r.key())));
            ConsumerRecord<String, byte[]> letter = seen.stream()
                    .filter(r -> r.topic().equals(Topics.DLQ.name()) && forged.id().equals(r.key())).findFirst().orElseThrow();
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR)).contains("no hydra-signature header");
            assertThat(executor.workspaceRoot().resolve("forged.txt")).doesNotExist();
        }
    }

    @Test
    void aSignedCallWhoseArgumentsWereChangedInFlightIsRefused() throws Exception {
        try (ToolExecutorService executor = new ToolExecutorService(config(), cluster.clientProps(), workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier())) {
            executor.start();
            ToolCall approved = shell("echo harmless");
            ToolCall altered = approved.withArguments(Map.of("command", "echo altered > altered.txt"));
            producer.sendWithHeaders(Topics.TOOLCALLS_APPROVED, altered.id(), altered,
                    TestSigning.signed(EventHeaders.of(Topics.TOOLCALLS_APPROVED, altered.taskId()), approved)).get();

            await().atMost(PATIENCE).until(() -> !resultsOf(altered.id()).isEmpty());
            assertThat(resultsOf(altered.id()).get(0).status()).isEqualTo(ToolStatus.REFUSED);
            assertThat(resultsOf(altered.id()).get(0).output()).contains("altered after it was signed");
            assertThat(executor.workspaceRoot().resolve("altered.txt")).doesNotExist();
        }
    }
}
