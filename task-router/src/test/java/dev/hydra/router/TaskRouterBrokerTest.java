package dev.hydra.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.signing.TestSigning;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.config.HydraConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router as a service against a real broker: exactly-once Streams, internal coordinator topic and all. */
class TaskRouterBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static KafkaTestCluster kafka;

    @BeforeAll
    static void startBroker() {
        kafka = KafkaTestCluster.start().withCatalogTopics();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    private static Task task(String id, int priority, String feature, List<String> resources) {
        return new Task(id, null, priority, 70, "Complete feature: " + feature, Crew.DEVELOPMENT,
                Map.of("action", "complete_feature", "feature", feature), resources, List.of(), "test", null);
    }

    /** Polls until a record matching {@code wanted} arrived; returns it. */
    private static ConsumerRecord<String, byte[]> awaitRecord(KafkaConsumer<String, byte[]> consumer, String what,
                                                            Predicate<ConsumerRecord<String, byte[]>> wanted) {
        List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
        await(what).atMost(WAIT).pollInSameThread().until(() -> {
            KafkaTestCluster.poll(consumer).stream().filter(wanted).forEach(seen::add);
            return !seen.isEmpty();
        });
        return seen.get(0);
    }

    /**
     * A group-less consumer of every partition of {@code topic} from the beginning, read_committed:
     * no group join to wait for, so only the router's own latency is measured.
     */
    private static KafkaConsumer<String, byte[]> reader(String topic) {
        Properties props = kafka.clientProps();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    @Test
    void approvedTaskLandsOnItsCrewPriorityLane(@TempDir Path stateDir) throws Exception {
        HydraConfig config = HydraConfig.of("router: {applicationId: router-broker-lane}", Map.of());
        Task task = task("broker-1", 2, "login", List.of("repo:hydra@main"));
        try (TaskRouter router = new TaskRouter(config, kafka.clientProps(), stateDir, TestSigning.verifier());
             EventProducer producer = new EventProducer(kafka.clientProps(), "router-broker-test");
             KafkaConsumer<String, byte[]> lane = reader(Topics.crewLane(Crew.DEVELOPMENT, 2).name())) {
            router.start();
            assertThat(router.healthy()).isTrue();

            producer.sendWithHeaders(Topics.TASKS_APPROVED, task.id(), task, TestSigning.signed(EventHeaders.of(Topics.TASKS_APPROVED, task.id()), task)).get();

            ConsumerRecord<String, byte[]> record = awaitRecord(lane, "task on hydra.crew.development.p2",
                    r -> r.key().equals("broker-1"));
            assertThat(Topics.TASK.deserialize(record.topic(), record.value())).isEqualTo(task);
            assertThat(EventHeaders.get(record.headers(), TaskRouter.ATTEMPT_HEADER)).contains("1");
            assertThat(EventHeaders.get(record.headers(), EventHeaders.CORRELATION_ID)).contains("broker-1");
        }
    }

    @Test
    void heldTaskIsReleasedWhenTheHolderCompletesEvenAcrossARouterRestart(@TempDir Path stateDir)
            throws Exception {
        HydraConfig config = HydraConfig.of("router: {applicationId: router-broker-hold}", Map.of());
        // Streams members do not leave the group on close; a static member id lets the restarted
        // router take its place at once instead of after the old member's 45 s session timeout.
        Properties clientProps = kafka.clientProps();
        clientProps.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "router-broker-hold-instance");
        Task holder = task("hold-1", 1, "schema migration", List.of("db:hydra"));
        Task waiting = task("hold-2", 1, "audit sink", List.of("db:hydra"));
        try (EventProducer producer = new EventProducer(kafka.clientProps(), "router-broker-test");
             KafkaConsumer<String, byte[]> lane = reader(Topics.crewLane(Crew.DEVELOPMENT, 1).name());
             KafkaConsumer<String, byte[]> statuses = reader(Topics.TASK_STATUS.name())) {
            try (TaskRouter router = new TaskRouter(config, clientProps, stateDir, TestSigning.verifier())) {
                router.start();
                producer.sendWithHeaders(Topics.TASKS_APPROVED, holder.id(), holder, TestSigning.signed(EventHeaders.of(Topics.TASKS_APPROVED, holder.id()), holder)).get();
                // tasks on different partitions reach the coordinator in either order: wait for the first
                awaitRecord(lane, "holder routed", r -> r.key().equals("hold-1"));
                producer.sendWithHeaders(Topics.TASKS_APPROVED, waiting.id(), waiting, TestSigning.signed(EventHeaders.of(Topics.TASKS_APPROVED, waiting.id()), waiting)).get();
                ConsumerRecord<String, byte[]> held = awaitRecord(statuses, "HELD status", r -> r.key().equals("hold-2"));
                TaskStatus status = Topics.TASK_STATUS.valueSerde().deserialize(held.topic(), held.value());
                assertThat(status.state()).isEqualTo(TaskState.HELD);
                assertThat(status.detail()).contains("db:hydra", "hold-1");
            }

            try (TaskRouter restarted = new TaskRouter(config, clientProps, stateDir, TestSigning.verifier())) {
                restarted.start();
                producer.send(Topics.TASK_STATUS, holder.id(), new TaskStatus(holder.id(), Crew.DEVELOPMENT,
                        TaskState.COMPLETED, "node-a", 1, "", null), holder.id()).get();

                ConsumerRecord<String, byte[]> released = awaitRecord(lane, "held task released",
                        r -> r.key().equals("hold-2"));
                assertThat(EventHeaders.get(released.headers(), TaskRouter.ATTEMPT_HEADER)).contains("1");
            }
        }
    }
}
