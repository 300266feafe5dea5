package dev.hydra.ops;

import java.nio.file.Path;

/**
 * The pipeline scenarios on the secured embedded broker (SASL/SCRAM, ACLs), in this JVM: always
 * runs. Its credentials land in the stack's data directory, where every client finds its own.
 */
class EndToEndTest extends PipelineScenarios {
    private EmbeddedBroker kafka;

    @Override
    String startBroker(Path dataDir) throws Exception {
        kafka = EmbeddedBroker.start("127.0.0.1", 0, dataDir);
        return kafka.bootstrap();
    }

    @Override
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
