package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hydra up --test --iterations N}, as a user runs it: N iterations, a report each, then it stops by itself. */
class TestModeTest {
    private static final Path CONSTITUTION = Path.of("../config/constitution.yaml").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void runsTwoIterationsReportsEachAndStopsByItself() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        Path config = dir.resolve("hydra.yaml");
        Files.writeString(config, """
                services:
                  - name: ghost
                    health: http://127.0.0.1:%d/health
                    restart: ["sh", "-c", "echo restarted >> ghost-restarts.txt"]
                    restartTimeout: 20s
                """.formatted(deadPort));
        Path data = dir.resolve("data");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), HydraCli.class.getName(),
                "up", "--test", "--iterations", "2", "--iteration-timeout", "3m", "--kafka-port", "0", "--http-port", "0",
                "--crews", "infrastructure"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("terminal.txt").toFile());
        builder.environment().remove("HYDRA_KAFKA_BOOTSTRAP");
        builder.environment().put("HYDRA_CONFIG", config.toString());
        builder.environment().put("HYDRA_CONSTITUTION", CONSTITUTION.toString());
        builder.environment().put("HYDRA_DATA_DIR", data.toString());
        Process up = builder.start();
        try {
            assertThat(up.waitFor(8, TimeUnit.MINUTES)).as("stopped by itself").isTrue();
            String terminal = Files.readString(dir.resolve("terminal.txt"), StandardCharsets.UTF_8);
            assertThat(up.exitValue()).as(terminal).isZero();
            assertThat(terminal).contains("Test mode: 2 iteration(s), then stop.")
                    .containsPattern("iteration 1: proposed 1, allowed 1, parked 0, denied 0, completed 1, failed 0, "
                            + "tokens 0 \\(")
                    .containsPattern("iteration 2: proposed 1, ")
                    .contains("Test mode done: 2 iteration(s).")
                    .doesNotContain("still running after the wait");
            assertThat(Files.exists(StackFile.in(data))).as("stack.json after the run").isFalse();
            try (var files = Files.walk(data)) {
                assertThat(files.filter(p -> p.getFileName().toString().equals("ghost-restarts.txt")).findFirst())
                        .as("the restart ran").isPresent();
            }
        } finally {
            up.destroyForcibly();
        }
    }
}
