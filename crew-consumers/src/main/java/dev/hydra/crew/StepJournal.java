package dev.hydra.crew;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The durable memory of side effects: an append-only file of STARTED and DONE lines, one per
 * idempotency key ({@code taskId/attempt/step} for task steps, the tool call id for tool calls).
 * A key that is DONE is never run again (its recorded result is returned instead); a key that was
 * STARTED and never finished belongs to a worker that died mid-effect, and is not run again either,
 * because nobody knows whether the effect happened. Workers that share a work directory share the
 * journal; a file lock makes check-and-start atomic across processes.
 */
public final class StepJournal {

    /** What a side effect reported; {@code replayed} is true when it comes from the journal. */
    public record StepResult(boolean ok, String summary, boolean replayed) {
        public static StepResult ok(String summary) {
            return new StepResult(true, summary, false);
        }

        public static StepResult failed(String summary) {
            return new StepResult(false, summary, false);
        }
    }

    /** A side effect. */
    @FunctionalInterface
    public interface Effect {
        StepResult run() throws Exception;
    }

    /** The key was started by someone who never finished it: running it again could repeat the effect. */
    public static final class UnconfirmedStepException extends Exception {
        public UnconfirmedStepException(String message) {
            super(message);
        }
    }

    /** The task step idempotency key of DESIGN.md. */
    public static String stepKey(String taskId, int attempt, String step) {
        return taskId + "/" + attempt + "/" + step;
    }

    private static final Map<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final String owner;
    private final ReentrantLock lock;

    /** A journal at {@code file}; {@code owner} (the node) is written on STARTED lines for diagnosis. */
    public StepJournal(Path file, String owner) {
        this.file = file.toAbsolutePath().normalize();
        this.owner = owner;
        this.lock = IN_PROCESS_LOCKS.computeIfAbsent(this.file, f -> new ReentrantLock());
        try {
            Files.createDirectories(this.file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the journal directory of " + this.file, e);
        }
    }

    /**
     * Runs {@code effect} unless {@code key} was already run: returns the recorded result of a DONE
     * key, throws for a key that was started and never finished.
     */
    public StepResult runOnce(String key, Effect effect) throws Exception {
        Optional<JsonNode> prior = claim(key);
        if (prior.isPresent()) {
            JsonNode entry = prior.get();
            if ("DONE".equals(entry.path("event").asText())) {
                return new StepResult(entry.path("ok").asBoolean(), entry.path("summary").asText(), true);
            }
            throw new UnconfirmedStepException("side effect " + key + " was started by " + entry.path("owner").asText()
                    + " at " + entry.path("at").asText() + " and never confirmed (its worker stopped mid-effect); "
                    + "not repeated");
        }
        StepResult result;
        try {
            result = effect.run();
        } catch (InterruptedException e) {
            // Left STARTED on purpose: the effect may have half-happened.
            throw e;
        } catch (Exception e) {
            // The effect failed before doing anything durable we know of; record it as a failure.
            append(entry("DONE", key, false, e.getClass().getSimpleName() + ": " + e.getMessage()));
            throw e;
        }
        append(entry("DONE", key, result.ok(), result.summary()));
        return result;
    }

    /** The latest line of {@code key}, or empty after writing a STARTED line for it (atomically). */
    private Optional<JsonNode> claim(String key) throws IOException {
        lock.lock();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            Optional<JsonNode> latest = latest(key);
            if (latest.isEmpty()) {
                write(channel, entry("STARTED", key, false, ""));
            }
            return latest;
        } finally {
            lock.unlock();
        }
    }

    /** The latest entry of a key, if any (for tests and diagnosis). */
    public Optional<JsonNode> latest(String key) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonNode found = null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode entry;
            try {
                entry = Json.MAPPER.readTree(line);
            } catch (IOException torn) {
                continue; // a line torn by a crash mid-write says nothing reliable
            }
            if (key.equals(entry.path("key").asText())) {
                found = entry;
            }
        }
        return Optional.ofNullable(found);
    }

    private void append(Map<String, Object> entry) throws IOException {
        lock.lock();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            write(channel, entry);
        } finally {
            lock.unlock();
        }
    }

    private static void write(FileChannel channel, Map<String, Object> entry) throws IOException {
        channel.position(channel.size());
        ByteBuffer line = ByteBuffer.wrap((Json.write(entry) + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            channel.write(line);
        }
        channel.force(false);
    }

    private Map<String, Object> entry(String event, String key, boolean ok, String summary) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("event", event);
        entry.put("key", key);
        entry.put("owner", owner);
        entry.put("ok", ok);
        entry.put("summary", summary == null ? "" : summary);
        entry.put("at", Instant.now().toString());
        return entry;
    }
}
