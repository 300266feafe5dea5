package dev.hydra.crew;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
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
 * restart cannot outlive its task. Output is read from a pipe and kept only up to a limit: a command
 * that prints gigabytes costs the executor neither memory nor disk.
 */
public final class CommandRunner {

    /** Output beyond this is cut by default: results travel in Kafka events. */
    static final int MAX_OUTPUT_BYTES = 8_000;
    /** After the command ended, how long a child that kept its output open may hold the result back. */
    private static final long DRAIN_MS = 2_000;

    /** How one run ended. {@code exitCode} is -1 when the command was killed or could not start. */
    public record Run(int exitCode, boolean timedOut, String output, long durationMs) {
        public boolean succeeded() {
            return exitCode == 0 && !timedOut;
        }
    }

    private CommandRunner() {
    }

    /** {@link #run(List, Path, Duration, Map, boolean, int)} with the default output limit. */
    public static Run run(List<String> argv, Path directory, Duration timeout, Map<String, String> environment,
                          boolean inherit) throws InterruptedException {
        return run(argv, directory, timeout, environment, inherit, MAX_OUTPUT_BYTES);
    }

    /**
     * Runs {@code argv} in {@code directory} with {@code environment} added to the inherited
     * environment, or, when {@code inherit} is false, as the whole environment (the sandboxed shell
     * passes a minimal one). Standard output and error are merged; past {@code maxOutputBytes} the rest
     * is read and dropped, and the output ends with a line saying how much was left out.
     *
     * @throws InterruptedException if the calling thread is interrupted; the command is killed first
     */
    public static Run run(List<String> argv, Path directory, Duration timeout, Map<String, String> environment,
                          boolean inherit, int maxOutputBytes) throws InterruptedException {
        long started = System.nanoTime();
        Process process = null;
        try {
            Files.createDirectories(directory);
            ProcessBuilder builder = new ProcessBuilder(argv).directory(directory.toFile())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            if (!inherit) {
                builder.environment().clear();
            }
            builder.environment().putAll(environment);
            process = builder.start();
            BoundedOutput output = new BoundedOutput(process.getInputStream(), maxOutputBytes);
            output.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
            }
            return new Run(finished ? process.exitValue() : -1, !finished, output.text(DRAIN_MS), elapsedMs(started));
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        } catch (IOException e) {
            return new Run(-1, false, "could not run " + argv + ": " + e.getMessage(), elapsedMs(started));
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

    private static long elapsedMs(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** Reads a command's output on its own thread, keeping the first bytes and counting the rest. */
    private static final class BoundedOutput extends Thread {
        private final InputStream in;
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long dropped;

        BoundedOutput(InputStream in, int limit) {
            super("command-output");
            setDaemon(true);
            this.in = in;
            this.limit = limit;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (this) {
                        int keep = Math.max(0, Math.min(n, limit - kept.size()));
                        kept.write(buffer, 0, keep);
                        dropped += n - keep;
                    }
                }
            } catch (IOException e) {
                // closed by text(): a process that outlived the command still held the pipe
            }
        }

        /** What was read, once the pipe closed or {@code waitMs} passed; the pipe is closed either way. */
        String text(long waitMs) throws InterruptedException {
            join(waitMs);
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing more to read
            }
            join(waitMs);
            synchronized (this) {
                String text = kept.toString(StandardCharsets.UTF_8);
                return dropped == 0 ? text : text + "\n[output truncated: " + dropped + " more bytes after the first "
                        + limit + " were dropped]";
            }
        }
    }
}
