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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The durable memory of side effects: an append-only file of STARTED and DONE lines, one per
 * idempotency key ({@code taskId/attempt/step} for task steps, the tool call id for tool calls).
 * A key that is DONE is never run again (its recorded result is returned instead); a key that was
 * STARTED and never finished belongs to a worker that died mid-effect, and is not run again either,
 * because nobody knows whether the effect happened. A later attempt of a task (the router's retry
 * of work that did not finish) does not redo a step an earlier attempt finished, whose report was
 * lost with its worker: it gets that step's recorded result. A step an earlier attempt left
 * unfinished is run again under the new attempt's key, which is what the retry is for; the key
 * tells the command which attempt it is. Workers that share a work directory share the journal; a
 * file lock makes check-and-start atomic across processes.
 *
 * <p>Each journal keeps an index of the file (key to the position of its latest line) and reads
 * only what was appended since it last looked, so a check costs the same after a year of work as
 * on the first day.
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

    /** Where the latest line of a key is in the file. */
    private record Line(long offset, int length, boolean done) {
    }

    private static final Map<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final String owner;
    private final ReentrantLock lock;
    private final Map<String, Line> index = new HashMap<>();
    /** How far the index has read the file; guarded by {@link #lock}. */
    private long indexed;

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
        return runOnce(key, List.of(), effect);
    }

    /**
     * As {@link #runOnce(String, Effect)}, and also not when one of {@code earlier} (the same step of
     * earlier attempts) finished: its recorded result is returned.
     */
    public StepResult runOnce(String key, List<String> earlier, Effect effect) throws Exception {
        Optional<JsonNode> prior = claim(key, earlier);
        if (prior.isPresent()) {
            JsonNode entry = prior.get();
            if ("DONE".equals(entry.path("event").asText())) {
                return new StepResult(entry.path("ok").asBoolean(), entry.path("summary").asText(), true);
            }
            throw new UnconfirmedStepException("side effect " + entry.path("key").asText() + " was started by "
                    + entry.path("owner").asText() + " at " + entry.path("at").asText()
                    + " and never confirmed (its worker stopped mid-effect); not repeated");
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

    /**
     * The latest line of {@code key}, else the DONE line of an earlier key; or empty after writing a
     * STARTED line for {@code key} (atomically, across processes).
     */
    private Optional<JsonNode> claim(String key, List<String> earlier) throws IOException {
        lock.lock();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            catchUp(channel);
            Line found = index.get(key);
            for (int i = 0; found == null && i < earlier.size(); i++) {
                Line line = index.get(earlier.get(i));
                found = line != null && line.done() ? line : null;
            }
            if (found != null) {
                return Optional.of(read(channel, found));
            }
            write(channel, entry("STARTED", key, false, ""));
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** The latest entry of a key, if any (for tests and diagnosis). */
    public Optional<JsonNode> latest(String key) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        lock.lock();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            catchUp(channel);
            Line line = index.get(key);
            return line == null ? Optional.empty() : Optional.of(read(channel, line));
        } finally {
            lock.unlock();
        }
    }

    /** Indexes the lines appended since the last look (by this process or any other). */
    private void catchUp(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < indexed) {
            index.clear(); // replaced by a shorter file: start over
            indexed = 0;
        }
        if (size == indexed) {
            return;
        }
        ByteBuffer appended = ByteBuffer.allocate(Math.toIntExact(size - indexed));
        while (appended.hasRemaining() && channel.read(appended, indexed + appended.position()) >= 0) {
            // read until the buffer is full
        }
        byte[] bytes = appended.array();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                indexLine(bytes, start, i - start, indexed + start);
                start = i + 1;
            }
        }
        // A line without its newline was torn by a crash mid-write (writers hold the lock while they
        // write): it says nothing reliable, and the next write starts on a fresh line.
        indexed = size;
    }

    private void indexLine(byte[] bytes, int start, int length, long offset) {
        if (length == 0) {
            return;
        }
        JsonNode entry;
        try {
            entry = Json.MAPPER.readTree(bytes, start, length);
        } catch (IOException torn) {
            return; // a line torn by a crash mid-write says nothing reliable
        }
        String key = entry.path("key").asText();
        if (!key.isEmpty()) {
            index.put(key, new Line(offset, length, "DONE".equals(entry.path("event").asText())));
        }
    }

    private static JsonNode read(FileChannel channel, Line line) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(line.length());
        while (bytes.hasRemaining() && channel.read(bytes, line.offset() + bytes.position()) >= 0) {
            // read the whole line
        }
        return Json.MAPPER.readTree(bytes.array());
    }

    private void append(Map<String, Object> entry) throws IOException {
        lock.lock();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            catchUp(channel);
            write(channel, entry);
        } finally {
            lock.unlock();
        }
    }

    /** Appends a line and indexes it; the caller holds the locks and has caught up. */
    private void write(FileChannel channel, Map<String, Object> entry) throws IOException {
        long end = channel.size();
        if (end > 0 && !endsWithNewline(channel, end)) {
            channel.write(ByteBuffer.wrap(new byte[] {'\n'}), end); // after a torn line
            end++;
        }
        byte[] bytes = (Json.write(entry) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer line = ByteBuffer.wrap(bytes);
        while (line.hasRemaining()) {
            channel.write(line, end + line.position());
        }
        channel.force(false);
        index.put((String) entry.get("key"), new Line(end, bytes.length - 1, "DONE".equals(entry.get("event"))));
        indexed = end + bytes.length;
    }

    private static boolean endsWithNewline(FileChannel channel, long size) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        channel.read(last, size - 1);
        return last.get(0) == '\n';
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
