package dev.hydra.ops;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.hydra.topics.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code <data dir>/stack.json}: where the stack {@code hydra up} runs in that data directory can be
 * reached, so that every other command finds it without flags. Written when the stack is up, removed
 * when it stops; a file whose process is gone (kill -9) is ignored. New fields (credentials, ...)
 * are added as components; readers ignore fields they do not know.
 *
 * @param kafkaBootstrap the bootstrap servers clients use
 * @param httpUrl the console, API, /health and /metrics, e.g. {@code http://127.0.0.1:8701}
 * @param pid the process running the stack
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StackFile(String kafkaBootstrap, String httpUrl, long pid, Instant startedAt) {
    static final String NAME = "stack.json";

    public StackFile {
        Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
        Objects.requireNonNull(httpUrl, "httpUrl");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** This process's stack. */
    static StackFile ofThisProcess(String kafkaBootstrap, String httpUrl) {
        return new StackFile(kafkaBootstrap, httpUrl, ProcessHandle.current().pid(), Instant.now());
    }

    static Path in(Path dataDir) {
        return dataDir.resolve(NAME);
    }

    /** Writes the file atomically (a reader never sees half of it). */
    void write(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path tmp = Files.createTempFile(dataDir, NAME, ".tmp");
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
        Files.move(tmp, in(dataDir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The stack running in {@code dataDir}, if its file is there and its process is alive. */
    static Optional<StackFile> read(Path dataDir) {
        Path file = in(dataDir);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            StackFile stack = Json.MAPPER.readValue(file.toFile(), StackFile.class);
            return ProcessHandle.of(stack.pid()).map(ProcessHandle::isAlive).orElse(false)
                    ? Optional.of(stack) : Optional.empty();
        } catch (IOException | RuntimeException unreadable) {
            // Half-written by a crashed writer or edited by hand: the other sources still apply.
            return Optional.empty();
        }
    }

    /** Removes the file if it is still this process's (a newer stack may have replaced it). */
    static void removeOwn(Path dataDir) {
        read(dataDir).filter(s -> s.pid() == ProcessHandle.current().pid()).ifPresent(own -> {
            try {
                Files.deleteIfExists(in(dataDir));
            } catch (IOException e) {
                // Ignored: readers skip a file whose process is gone.
            }
        });
    }
}
