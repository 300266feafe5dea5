package dev.hydra.ops;

import dev.hydra.topics.KafkaTestCluster;

/** The pipeline scenarios on an in-process KRaft broker: always runs. */
class EndToEndTest extends PipelineScenarios {
    private KafkaTestCluster kafka;

    @Override
    String startBroker() {
        kafka = KafkaTestCluster.start();
        return kafka.bootstrap();
    }

    @Override
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
