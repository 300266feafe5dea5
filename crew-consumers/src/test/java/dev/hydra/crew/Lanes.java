package dev.hydra.crew;

import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Test isolation: a crew's group starts each test with nothing left over from the previous one. */
final class Lanes {
    private Lanes() {
    }

    static void skipToEnd(KafkaTestCluster cluster, Crew crew) throws Exception {
        skipToEnd(cluster, CrewWorker.groupId(crew), List.copyOf(Topics.crewLanes(crew)));
    }

    /** Commits the end of {@code topics} for {@code group} (which must have no live members). */
    static void skipToEnd(KafkaTestCluster cluster, String group, List<Topic<?>> topics) throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (Topic<?> topic : topics) {
                for (int p = 0; p < topic.partitions(); p++) {
                    latest.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            admin.listOffsets(latest).all().get()
                    .forEach((tp, info) -> ends.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(group, ends).all().get();
        }
    }
}
