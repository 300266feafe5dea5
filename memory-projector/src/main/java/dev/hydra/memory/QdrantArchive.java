package dev.hydra.memory;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorsFactory.vectors;
import static io.qdrant.client.WithPayloadSelectorFactory.enable;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScoredPoint;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archival memory in Qdrant (gRPC, qdrant-java-client): one collection of 384-dimension vectors,
 * cosine distance, created if missing; the payload holds the passage and where it came from.
 * Point ids are derived from passage ids, so storing a passage again replaces it.
 */
public final class QdrantArchive implements ArchivalMemory {
    private static final Logger LOG = LoggerFactory.getLogger(QdrantArchive.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int DEFAULT_GRPC_PORT = 6334;

    private final QdrantClient client;
    private final String collection;
    private final Function<String, float[]> embedder;

    /** {@code url} like {@code http://127.0.0.1:6334} (Qdrant's gRPC port); https means TLS. */
    public static QdrantArchive connect(String url, String apiKey, String collection) {
        URI uri = URI.create(url);
        int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_GRPC_PORT;
        if (port == 6333) {
            LOG.warn("{} is Qdrant's REST port; the Java client speaks gRPC, using {}", url, DEFAULT_GRPC_PORT);
            port = DEFAULT_GRPC_PORT;
        }
        QdrantGrpcClient.Builder grpc = QdrantGrpcClient.newBuilder(uri.getHost(), port, "https".equals(uri.getScheme()))
                .withTimeout(TIMEOUT);
        if (apiKey != null && !apiKey.isEmpty()) {
            grpc.withApiKey(apiKey);
        }
        return new QdrantArchive(new QdrantClient(grpc.build()), collection, Embeddings::embed);
    }

    QdrantArchive(QdrantClient client, String collection, Function<String, float[]> embedder) {
        this.client = client;
        this.collection = collection;
        this.embedder = embedder;
        if (!await(client.collectionExistsAsync(collection))) {
            await(client.createCollectionAsync(collection, VectorParams.newBuilder()
                    .setSize(Embeddings.DIMENSIONS).setDistance(Distance.Cosine).build()));
            LOG.info("created Qdrant collection {} ({} dimensions, cosine)", collection, Embeddings.DIMENSIONS);
        }
    }

    @Override
    public void add(Passage passage) {
        PointStruct point = PointStruct.newBuilder()
                .setId(id(UUID.nameUUIDFromBytes(passage.id().getBytes(StandardCharsets.UTF_8))))
                .setVectors(vectors(embedder.apply(passage.text())))
                .putAllPayload(Map.of("id", value(passage.id()), "text", value(passage.text()),
                        "taskId", value(passage.taskId()), "crew", value(passage.crew()), "kind", value(passage.kind()),
                        "at", value(passage.at().toString())))
                .build();
        await(client.upsertAsync(collection, List.of(point)));
    }

    @Override
    public List<Hit> search(String query, int k) {
        List<ScoredPoint> points = await(client.queryAsync(QueryPoints.newBuilder().setCollectionName(collection)
                .setQuery(nearest(embedder.apply(query))).setLimit(k).setWithPayload(enable(true)).build()));
        return points.stream().map(p -> new Hit(passage(p.getPayloadMap()), p.getScore())).toList();
    }

    private static Passage passage(Map<String, Value> payload) {
        Function<String, String> text = name -> payload.containsKey(name) ? payload.get(name).getStringValue() : "";
        String at = text.apply("at");
        return new Passage(text.apply("id"), text.apply("text"), text.apply("taskId"), text.apply("crew"),
                text.apply("kind"), at.isEmpty() ? null : Instant.parse(at));
    }

    @Override
    public long size() {
        return await(client.countAsync(collection));
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling Qdrant", e);
        } catch (ExecutionException | TimeoutException e) {
            // Retriable for the caller: the consumer loop retries the record with backoff.
            throw new IllegalStateException("Qdrant call failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
