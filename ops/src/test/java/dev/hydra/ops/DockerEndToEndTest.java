package dev.hydra.ops;

import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same pipeline scenarios against Kafka in a container, for users with Docker: a cluster
 * without SASL, where clients without credentials connect as before. Skipped cleanly
 * when no Docker engine is reachable; {@link EndToEndTest} covers the same behaviour without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerEndToEndTest extends PipelineScenarios {
    private KafkaContainer kafka;

    @Override
    String startBroker(java.nio.file.Path dataDir) {
        kafka = new KafkaContainer("apache/kafka:4.1.1");
        kafka.start();
        return kafka.getBootstrapServers();
    }

    @Override
    void stopBroker() {
        if (kafka != null) {
            kafka.stop();
        }
    }
}
