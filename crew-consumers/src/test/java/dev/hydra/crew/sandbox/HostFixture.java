package dev.hydra.crew.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A host as an attacker inside the sandbox would want it: a constitution file and a data directory
 * holding random markers, an empty directory outside the workspace, and a port listening on
 * 127.0.0.1, all world-readable and world-writable, so that only the sandbox stands between a command
 * and them. Commands run as a user id of this fixture's own, so a leftover process is easy to find.
 */
final class HostFixture implements AutoCloseable {
    /** What a corpus command prints when it did something none of the other checks can see. */
    static final String ESCAPED = "HYDRA-SANDBOX-ESCAPE";
    final Path base;
    final Path workspace;
    final Path constitution;
    final Path dataDir;
    final Path outside;
    final String constitutionMarker = "constitution-" + UUID.randomUUID();
    final String dataMarker = "data-" + UUID.randomUUID();
    final String constitutionText;
    final int uid = ThreadLocalRandom.current().nextInt(200_000, 260_000);
    private final ServerSocket listener;

    HostFixture(Path base) throws IOException {
        this.base = base;
        openUp(base);
        workspace = Files.createDirectories(base.resolve("work").resolve("workspace"));
        Path config = Files.createDirectories(base.resolve("config"));
        openUp(config);
        constitution = config.resolve("constitution.yaml");
        constitutionText = "immutable_constraints:\n  - never_modify_constitution  # " + constitutionMarker + "\n";
        Files.writeString(constitution, constitutionText);
        openUp(constitution);
        dataDir = Files.createDirectories(base.resolve("data"));
        openUp(dataDir);
        Files.writeString(dataDir.resolve("marker.txt"), dataMarker);
        openUp(dataDir.resolve("marker.txt"));
        outside = Files.createDirectories(base.resolve("outside"));
        openUp(outside);
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** Skips (with why) where bubblewrap is missing; on this project's machines and CI it is installed. */
    static void assumeBubblewrap() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")),
                "bubblewrap is not installed (apt-get install bubblewrap): the sandbox tests are skipped");
    }

    SandboxLimits limits(Duration timeout) {
        return new SandboxLimits(timeout, Duration.ofSeconds(30), 2_048, 64, 16, 65_536, uid);
    }

    Sandbox sandbox(Duration timeout) {
        assumeBubblewrap();
        Bubblewrap sandbox = Bubblewrap.probed(workspace, base.resolve("work").resolve(".hydra"), limits(timeout));
        assertThat(sandbox.unavailable()).as("bubblewrap is installed here, so the sandbox must work").isEmpty();
        return sandbox;
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Fills the corpus's placeholders with this host's paths and port. */
    String fill(String command) {
        return command.replace("{HOST_PORT}", Integer.toString(port()))
                .replace("{CONSTITUTION}", constitution.toString())
                .replace("{DATA_DIR}", dataDir.toString())
                .replace("{OUTSIDE}", outside.toString())
                .replace("⏎", "\n");
    }

    /** True if someone connected to the port since the last call. */
    boolean connectionArrived() throws IOException {
        listener.setSoTimeout(50);
        try (Socket ignored = listener.accept()) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Everything the sandbox must have left as it was, and not shown in {@code output}. */
    void assertUntouched(String output) throws IOException {
        assertThat(Files.readString(constitution)).as("the constitution").isEqualTo(constitutionText);
        assertThat(output).as("output").doesNotContain(constitutionMarker).doesNotContain(dataMarker)
                .doesNotContain(ESCAPED);
        try (Stream<Path> data = Files.list(dataDir); Stream<Path> out = Files.list(outside)) {
            assertThat(data.map(p -> p.getFileName().toString()).toList()).as("the data dir")
                    .containsExactly("marker.txt");
            assertThat(out.toList()).as("the directory outside the workspace").isEmpty();
        }
        assertThat(Files.readString(dataDir.resolve("marker.txt"))).isEqualTo(dataMarker);
        assertThat(connectionArrived()).as("a connection to the host's 127.0.0.1:" + port()).isFalse();
    }

    /** No process of the sandbox's user survives its command (they are gone within moments). */
    void assertNoProcessLeft() {
        await().atMost(Duration.ofSeconds(10)).until(() -> processesOfSandboxUser().isEmpty());
    }

    List<String> processesOfSandboxUser() throws IOException, InterruptedException {
        Process pgrep = new ProcessBuilder("pgrep", "-a", "-u", Integer.toString(uid)).redirectErrorStream(true).start();
        String out = new String(pgrep.getInputStream().readAllBytes());
        pgrep.waitFor();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private static void openUp(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxrwxrwx"
                : "rw-rw-rw-"));
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
