package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hydra up} as a new user runs it, in its own JVM with the shipped logging and configuration:
 * a short start on the terminal, third-party logs in the data directory, a stack file every other
 * command follows, and a clean stop.
 */
class QuietStartTest {
    private static final Path CONFIG = Path.of("../config").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void upPrintsAShortStartKeepsLibraryLogsInTheDataDirAndClientsFollowItsStackFile() throws Exception {
        Path data = dir.resolve("data");
        Path terminal = dir.resolve("terminal.txt");
        Map<String, String> env = Map.of("HYDRA_CONFIG", CONFIG.resolve("hydra.yaml").toString(),
                "HYDRA_CONSTITUTION", CONFIG.resolve("constitution.yaml").toString(), "HYDRA_DATA_DIR", data.toString());
        try (ChildJvm up = ChildJvm.start("up", terminal, "Ctrl-C stops everything cleanly", List.of("-Xmx1500m"), env,
                "up", "--kafka-port", "0", "--http-port", "0")) {
            up.awaitReady(Duration.ofMinutes(4));
            List<String> lines = Files.readAllLines(terminal);
            List<String> beforeBanner = lines.subList(0, lines.indexOf("Hydra is up."));
            assertThat(beforeBanner).as("lines before the banner").hasSizeLessThanOrEqualTo(30)
                    .noneMatch(l -> l.contains("ERROR") || l.contains("Exception") || l.contains("StatusLogger"));

            StackFile stack = StackFile.read(data).orElseThrow();
            assertThat(stack.pid()).isEqualTo(up.pid());
            assertThat(lines).anyMatch(l -> l.contains("Kafka      " + stack.kafkaBootstrap()))
                    .anyMatch(l -> l.contains("Console    " + stack.httpUrl() + "/"));

            // No flag: the command finds the stack through stack.json, and prints only its answer.
            Run topics = runClient(env, "topics");
            assertThat(topics.code()).as(topics.output()).isZero();
            assertThat(topics.output().lines()).first().asString().startsWith("TOPIC");
            assertThat(topics.output().lines().skip(1)).isNotEmpty().allMatch(l -> l.startsWith("hydra."));

            Path log = data.resolve("logs").resolve("up.log");
            assertThat(Files.readString(log)).contains("org.apache.kafka").doesNotContain("OutOfOrderSequenceException");
            up.close();
            assertThat(Files.exists(StackFile.in(data))).as("stack.json after a clean stop").isFalse();
            assertThat(Files.readAllLines(log)).as("errors logged while stopping")
                    .noneMatch(l -> l.contains(" ERROR "));
        }
    }

    private record Run(int code, String output) {
    }

    private Run runClient(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HydraCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("HYDRA_KAFKA_BOOTSTRAP");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        await().atMost(Duration.ofMinutes(1)).until(() -> process.waitFor(1, TimeUnit.SECONDS));
        return new Run(process.exitValue(), output);
    }
}
