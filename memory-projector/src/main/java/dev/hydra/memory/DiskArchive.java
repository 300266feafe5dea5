package dev.hydra.memory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.Json;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archival memory without a vector database: an append-only file of (passage, vector) records
 * under the data directory, held in memory and searched by brute-force cosine similarity. Fine
 * for the tens of thousands of passages one Hydra produces; Qdrant ({@link QdrantArchive}) beyond.
 */
public final class DiskArchive implements ArchivalMemory {
    private static final Logger LOG = LoggerFactory.getLogger(DiskArchive.class);

    private record Stored(Passage passage, float[] vector) {
    }

    private final Path file;
    private final Function<String, float[]> embedder;
    private final Map<String, Stored> passages = new LinkedHashMap<>();
    private final FileChannel out;

    /** Opens (or creates) the store in {@code directory}, embedding with the in-process model. */
    public static DiskArchive open(Path directory) {
        return new DiskArchive(directory, Embeddings::embed);
    }

    DiskArchive(Path directory, Function<String, float[]> embedder) {
        this.embedder = embedder;
        try {
            Files.createDirectories(directory);
            this.file = directory.resolve("archival.bin");
            long good = load();
            this.out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (out.size() > good) {
                LOG.warn("{}: dropping {} bytes of a record cut short by a crash", file, out.size() - good);
                out.truncate(good);
            }
            out.position(good);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open archival memory in " + directory, e);
        }
    }

    /** Reads every complete record; returns the length of the file up to the last complete one. */
    private long load() throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        long good = 0;
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            while (true) {
                byte[] meta;
                float[] vector;
                try {
                    meta = new byte[in.readInt()];
                    in.readFully(meta);
                    vector = new float[in.readInt()];
                    for (int i = 0; i < vector.length; i++) {
                        vector[i] = in.readFloat();
                    }
                } catch (EOFException end) {
                    break;
                }
                Passage passage = fromJson(Json.MAPPER.readTree(meta));
                passages.put(passage.id(), new Stored(passage, vector));
                good += 8 + meta.length + 4L * vector.length;
            }
        }
        LOG.info("archival memory {}: {} passages", file, passages.size());
        return good;
    }

    @Override
    public void add(Passage passage) {
        synchronized (this) {
            Stored existing = passages.get(passage.id());
            if (existing != null && existing.passage().text().equals(passage.text())) {
                return; // a redelivery: already stored
            }
        }
        float[] vector = embedder.apply(passage.text());
        byte[] meta = Json.bytes(toJson(passage));
        ByteBuffer record = ByteBuffer.allocate(8 + meta.length + 4 * vector.length);
        record.putInt(meta.length).put(meta).putInt(vector.length);
        for (float v : vector) {
            record.putFloat(v);
        }
        record.flip();
        synchronized (this) {
            try {
                while (record.hasRemaining()) {
                    out.write(record);
                }
                out.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + file, e);
            }
            passages.put(passage.id(), new Stored(passage, vector));
        }
    }

    @Override
    public List<Hit> search(String query, int k) {
        float[] q = embedder.apply(query);
        List<Stored> all;
        synchronized (this) {
            all = new ArrayList<>(passages.values());
        }
        return all.stream()
                .map(s -> new Hit(s.passage(), Embeddings.dot(q, s.vector())))
                .sorted(Comparator.comparingDouble(Hit::score).reversed())
                .limit(k)
                .toList();
    }

    @Override
    public synchronized long size() {
        return passages.size();
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("closing {}", file, e);
        }
    }

    static Map<String, Object> toJson(Passage p) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", p.id());
        json.put("text", p.text());
        json.put("taskId", p.taskId());
        json.put("crew", p.crew());
        json.put("kind", p.kind());
        json.put("at", p.at().toString());
        return json;
    }

    static Passage fromJson(JsonNode n) {
        return new Passage(n.path("id").asText(), n.path("text").asText(), n.path("taskId").asText(),
                n.path("crew").asText(), n.path("kind").asText(),
                n.hasNonNull("at") ? Instant.parse(n.path("at").asText()) : null);
    }
}
