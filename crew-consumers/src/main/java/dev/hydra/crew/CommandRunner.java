package dev.hydra.crew;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command (an argv list, no shell unless the list names one) in a directory with a time
 * limit. On timeout or interruption the command and everything it started are killed, so a hung
 * restart cannot outlive its task.
 */
public final class CommandRunner {

    /** Output beyond this is cut: results travel in Kafka events. */
    static final int MAX_OUTPUT_CHARS = 8_000;

    /** How one run ended. {@code exitCode} is -1 when the command was killed or could not start. */
    public record Run(int exitCode, boolean timedOut, String output, long durationMs) {
        public boolean succeeded() {
            return exitCode == 0 && !timedOut;
        }
    }

    private CommandRunner() {
    }

    /**
     * Runs {@code argv} in {@code directory} with {@code environment} added to the inherited
     * environment, or, when {@code inherit} is false, as the whole environment (the sandboxed shell
     * passes a minimal one).
     *
     * @throws InterruptedException if the calling thread is interrupted; the command is killed first
     */
    public static Run run(List<String> argv, Path directory, Duration timeout, Map<String, String> environment,
                          boolean inherit) throws InterruptedException {
        long started = System.nanoTime();
        Path output = null;
        Process process = null;
        try {
            Files.createDirectories(directory);
            output = Files.createTempFile("hydra-cmd-", ".out");
            ProcessBuilder builder = new ProcessBuilder(argv).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            if (!inherit) {
                builder.environment().clear();
            }
            builder.environment().putAll(environment);
            process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
            }
            return new Run(finished ? process.exitValue() : -1, !finished, read(output), elapsedMs(started));
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        } catch (IOException e) {
            return new Run(-1, false, "could not run " + argv + ": " + e.getMessage(), elapsedMs(started));
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /** Kills the children first: killing only {@code sh} would leave its {@code sleep} running. */
    private static void kill(Process process) {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path output) throws IOException {
        String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
        return text.length() <= MAX_OUTPUT_CHARS ? text : text.substring(0, MAX_OUTPUT_CHARS) + "…";
    }

    private static long elapsedMs(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}
