package dev.hydra.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code hydra} command in its own JVM, on this JVM's classpath: how the benchmark and the crash
 * suite give the broker and each service a process of its own, which they can kill with -9. The
 * child gets the expanded {@code java.class.path} of this JVM, so running the parent from a private
 * copy of the build keeps a concurrent rebuild of {@code ops/target} from swapping jars under the children.
 */
final class ChildJvm implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildJvm.class);

    private final String name;
    private final String readyLine;
    private final Process process;
    private final CompletableFuture<String> ready = new CompletableFuture<>();

    private ChildJvm(String name, Process process, String readyLine, Path log) {
        this.name = name;
        this.readyLine = readyLine;
        this.process = process;
        Thread pump = new Thread(() -> pump(log), name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code hydra ARGS...}; {@link #awaitReady} waits for a line containing {@code readyLine}. */
    static ChildJvm start(String name, Path log, String readyLine, List<String> jvmOptions, String... args)
            throws IOException {
        return start(name, log, readyLine, jvmOptions, java.util.Map.of(), args);
    }

    /** The same, with extra environment variables for the child. */
    static ChildJvm start(String name, Path log, String readyLine, List<String> jvmOptions,
                          java.util.Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(HydraCli.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("HYDRA_KAFKA_BOOTSTRAP");
        builder.environment().putAll(env);
        LOG.info("starting {} ({}), output in {}", name, String.join(" ", args), log);
        Process process = builder.start();
        return new ChildJvm(name, process, readyLine, log);
    }

    /** Copies the child's output to its log file, watching for the line that says it is ready. */
    private void pump(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             var out = java.nio.file.Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!ready.isDone() && line.contains(readyLine)) {
                    ready.complete(line);
                }
                out.write(line);
                out.newLine();
                out.flush();
            }
        } catch (IOException e) {
            // the process ended
        }
        ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready"));
    }

    /** Waits for the ready line and returns it (it may say where the child listens). */
    String awaitReady(Duration timeout) throws Exception {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(name + " printed no line with '" + readyLine + "' within " + timeout, e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** kill -9: no shutdown hook runs, nothing is flushed or committed. Returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") still runs 30 s after kill -9");
        }
    }

    /** A clean stop (SIGTERM: shutdown hooks run). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
