package dev.hydra.crew.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.crew.CommandRunner.Run;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every case of the escape corpus ({@code escapes.txt}: {@code family | command}, see its header) run
 * in the sandbox against a host prepared by {@link HostFixture}: none may reach the network, Hydra's
 * files or the rest of the host, outlive its timeout, or leave a process behind.
 */
class EscapeCorpusTest {
    private static final String CORPUS = "/dev/hydra/crew/sandbox/escapes.txt";
    private static final Duration TIMEOUT = Duration.ofSeconds(6);
    /** The kill itself, and a loaded machine, may take a moment past the timeout; a hang would not. */
    private static final Duration KILL_MARGIN = Duration.ofSeconds(20);

    @TempDir
    Path base;
    private HostFixture host;

    @BeforeEach
    void host() throws IOException {
        host = new HostFixture(base);
    }

    @AfterEach
    void close() throws IOException {
        host.close();
    }

    static Stream<Arguments> corpus() throws IOException {
        try (InputStream in = EscapeCorpusTest.class.getResourceAsStream(CORPUS)) {
            assertThat(in).as(CORPUS).isNotNull();
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            return lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).map(line -> {
                int bar = line.indexOf(" | ");
                assertThat(bar).as("a corpus line is `family | command`: " + line).isPositive();
                return Arguments.of(line.substring(0, bar).strip(), line.substring(bar + 3));
            }).toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("corpus")
    void staysInTheSandbox(String family, String command) throws Exception {
        Sandbox sandbox = host.sandbox(TIMEOUT);

        Run run = sandbox.run(List.of("sh", "-c", host.fill(command)));

        assertThat(Duration.ofMillis(run.durationMs())).as("ended or was killed at the timeout")
                .isLessThan(TIMEOUT.plus(KILL_MARGIN));
        host.assertUntouched(run.output());
        assertThat(Files.exists(Path.of("/usr/escaped"))).isFalse();
        host.assertNoProcessLeft();
    }
}
