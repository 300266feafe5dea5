package dev.hydra.memory;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The Qdrant adapter against a real Qdrant; skipped where Docker is not available. */
@Testcontainers(disabledWithoutDocker = true)
class QdrantArchiveTest {
    @Container
    static final GenericContainer<?> QDRANT = new GenericContainer<>("qdrant/qdrant:v1.16.0")
            .withExposedPorts(6333, 6334)
            .waitingFor(Wait.forHttp("/readyz").forPort(6333));

    @Test
    void qdrantRanksTheRelevantFindingAboveUnrelatedOnes() {
        QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder(QDRANT.getHost(),
                QDRANT.getMappedPort(6334), false).build());
        try (QdrantArchive store = new QdrantArchive(client, "hydra_test", Embeddings::embed)) {
            ArchivalMemoryTest.ranksTheRelevantFindingAboveUnrelatedOnes(store);
            store.add(ArchivalMemoryTest.FINDINGS.get(0)); // the same passage again replaces it
            org.assertj.core.api.Assertions.assertThat(store.size()).isEqualTo(ArchivalMemoryTest.FINDINGS.size());
        }
    }
}
