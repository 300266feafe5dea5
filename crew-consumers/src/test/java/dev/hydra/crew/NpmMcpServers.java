package dev.hydra.crew;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The official MCP servers pinned in {@code src/test/mcp/package.json}, installed there by
 * {@code npm ci} (.ci/run does it). Where node or the installed packages are missing, the tests that
 * need them are skipped with a message saying what to run; their Java SDK twins run everywhere.
 */
final class NpmMcpServers {
    static final Path FIXTURES = Path.of("src/test/mcp").toAbsolutePath();
    private static final Path PACKAGES = FIXTURES.resolve("node_modules/@modelcontextprotocol");

    private NpmMcpServers() {
    }

    /** Skips the calling test unless node and the pinned servers are installed. */
    static void assumeInstalled() {
        assumeTrue(node() && Files.isRegularFile(script("server-filesystem"))
                        && Files.isRegularFile(script("server-everything")),
                "node or the pinned MCP servers are missing: install node and run `npm ci` in " + FIXTURES
                        + " (.ci/run does both); the Java SDK twin of this test still runs");
    }

    /** server-filesystem over stdio, confined to {@code root}. */
    static List<String> filesystem(Path root) {
        return List.of("node", script("server-filesystem").toString(), root.toString());
    }

    /** server-everything in its streamable HTTP mode on a free port of 127.0.0.1; the URL is {@link Everything#url}. */
    static Everything everythingOverHttp() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder("node", script("server-everything").toString(), "streamableHttp")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PORT", Integer.toString(port));
        Process process = builder.start();
        int listening = port;
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket("127.0.0.1", listening)) {
                return true;
            }
        });
        return new Everything(process, "http://127.0.0.1:" + port + "/mcp");
    }

    record Everything(Process process, String url) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static Path script(String server) {
        return PACKAGES.resolve(server).resolve("dist/index.js");
    }

    private static boolean node() {
        try {
            return new ProcessBuilder("node", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
