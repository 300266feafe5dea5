package dev.hydra.ops;

import dev.hydra.topics.Service;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka-side health of the services of this process, computed when Prometheus scrapes:
 * {@code hydra_consumer_lag{group,topic}} (records not yet consumed: the last stable offset minus
 * the group's committed offset, summed over partitions) and {@code hydra_streams_state{application,state}}
 * (1 for a Streams application's current state, 0 for the others, so that "not RUNNING" can alert).
 * Each service names its own groups, so in the compose stack each container reports its own.
 */
final class KafkaHealthMetrics extends Collector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaHealthMetrics.class);
    private static final long TIMEOUT_SECONDS = 5;

    private final Supplier<List<Service>> services;
    private final Admin admin;

    private KafkaHealthMetrics(Supplier<List<Service>> services, Properties client) {
        this.services = services;
        this.admin = Admin.create(client);
    }

    /** Registered with the default registry until closed. */
    static KafkaHealthMetrics register(Supplier<List<Service>> services, Properties client) {
        KafkaHealthMetrics metrics = new KafkaHealthMetrics(services, client);
        CollectorRegistry.defaultRegistry.register(metrics);
        return metrics;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        GaugeMetricFamily lag = new GaugeMetricFamily("hydra_consumer_lag",
                "records a consumer group has not consumed yet, per topic", List.of("group", "topic"));
        GaugeMetricFamily states = new GaugeMetricFamily("hydra_streams_state",
                "1 for the current state of a Kafka Streams application, 0 for the others",
                List.of("application", "state"));
        Set<String> groups = new LinkedHashSet<>();
        for (Service service : services.get()) {
            groups.addAll(service.consumerGroups());
            Optional<String> state = service.streamsState();
            if (state.isPresent()) {
                String application = service.consumerGroups().isEmpty() ? service.name() : service.consumerGroups().get(0);
                for (KafkaStreams.State each : KafkaStreams.State.values()) {
                    states.addMetric(List.of(application, each.name()), each.name().equals(state.get()) ? 1 : 0);
                }
            }
        }
        for (String group : groups) {
            try {
                lagOf(group).forEach((topic, records) -> lag.addMetric(List.of(group, topic), records));
            } catch (Exception e) {
                LOG.debug("lag of consumer group {} not available: {}", group, e.getMessage());
            }
        }
        List<MetricFamilySamples> all = new ArrayList<>();
        all.add(lag);
        all.add(states);
        return all;
    }

    private Map<String, Long> lagOf(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        // Consumers read committed records only; open transactions are not lag yet.
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<String, Long> byTopic = new TreeMap<>();
        committed.forEach((tp, offset) -> {
            if (offset != null && ends.containsKey(tp)) {
                byTopic.merge(tp.topic(), Math.max(0, ends.get(tp).offset() - offset.offset()), Long::sum);
            }
        });
        return byTopic;
    }

    @Override
    public void close() {
        CollectorRegistry.defaultRegistry.unregister(this);
        admin.close();
    }
}
