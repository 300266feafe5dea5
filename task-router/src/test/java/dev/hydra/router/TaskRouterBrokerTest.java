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
        try (TaskRouter router = new TaskRouter(config, kafka.clientProps(), stateDir, TestSigning.verifier(), TestSigning.writerVerifier(),
                    TestSigning.writerSigner(dev.hydra.topics.signing.WriterSignature.ROUTER));
             EventProducer producer = new EventProducer(kafka.clientProps(), "router-broker-test",
                     TestSigning.asTheCrewNamed());
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
        try (EventProducer producer = new EventProducer(kafka.clientProps(), "router-broker-test",
                     TestSigning.asTheCrewNamed());
             KafkaConsumer<String, byte[]> lane = reader(Topics.crewLane(Crew.DEVELOPMENT, 1).name());
             KafkaConsumer<String, byte[]> statuses = reader(Topics.TASK_STATUS.name())) {
            try (TaskRouter router = new TaskRouter(config, clientProps, stateDir, TestSigning.verifier(), TestSigning.writerVerifier(),
                    TestSigning.writerSigner(dev.hydra.topics.signing.WriterSignature.ROUTER))) {
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

            try (TaskRouter restarted = new TaskRouter(config, clientProps, stateDir, TestSigning.verifier(), TestSigning.writerVerifier(),
                    TestSigning.writerSigner(dev.hydra.topics.signing.WriterSignature.ROUTER))) {
                restarted.start();
                producer.send(Topics.TASK_STATUS, holder.id(), new TaskStatus(holder.id(), Crew.DEVELOPMENT,
                        TaskState.COMPLETED, "node-a", 1, "", null), holder.id()).get();

                ConsumerRecord<String, byte[]> released = awaitRecord(lane, "held task released",
                        r -> r.key().equals("hold-2"));
                assertThat(EventHeaders.get(released.headers(), TaskRouter.ATTEMPT_HEADER)).contains("1");
            }
        }
    }

    /**
     * Any crew's principal may write hydra.tasks.status. A COMPLETED naming the development crew that the
     * development crew did not sign (signed by the research crew, unsigned, or carrying a development
     * signature made for another record) is dead-lettered with the reason and does not end the holder,
     * so the task it holds back stays held; the honest COMPLETED then releases it.
     */
    @Test
    void aStatusNotSignedByTheCrewItNamesDoesNotEndItsTask(@TempDir Path stateDir) throws Exception {
        HydraConfig config = HydraConfig.of("router: {applicationId: router-broker-forged-status}", Map.of());
        // features of their own: this router reads the topics from the start, the other tests' tasks too
        Task holder = task("forged-hold-1", 1, "forged-status migration", List.of("db:forged"));
        Task waiting = task("forged-hold-2", 1, "forged-status sink", List.of("db:forged"));
        TaskStatus completed = new TaskStatus(holder.id(), Crew.DEVELOPMENT, TaskState.COMPLETED, "node-a", 1, "",
                null);
        // dated when it is sent (the router does not act on a status from before the task was routed)
        try (EventProducer producer = new EventProducer(kafka.clientProps(), "router-broker-test",
                     TestSigning.asTheCrewNamed());
             KafkaConsumer<String, byte[]> lane = reader(Topics.crewLane(Crew.DEVELOPMENT, 1).name());
             KafkaConsumer<String, byte[]> statuses = reader(Topics.TASK_STATUS.name());
             KafkaConsumer<String, byte[]> dlq = reader(Topics.DLQ.name());
             TaskRouter router = new TaskRouter(config, kafka.clientProps(), stateDir, TestSigning.verifier(),
                     TestSigning.writerVerifier(), TestSigning.writerSigner(dev.hydra.topics.signing.WriterSignature.ROUTER))) {
            router.start();
            producer.sendWithHeaders(Topics.TASKS_APPROVED, holder.id(), holder,
                    TestSigning.signed(EventHeaders.of(Topics.TASKS_APPROVED, holder.id()), holder)).get();
            awaitRecord(lane, "holder routed", r -> r.key().equals(holder.id()));
            producer.sendWithHeaders(Topics.TASKS_APPROVED, waiting.id(), waiting,
                    TestSigning.signed(EventHeaders.of(Topics.TASKS_APPROVED, waiting.id()), waiting)).get();
            ConsumerRecord<String, byte[]> held = awaitRecord(statuses, "HELD status", r -> r.key().equals(waiting.id())
                    && Topics.TASK_STATUS.valueSerde().deserialize(r.topic(), r.value()).state() == TaskState.HELD);
            // the router's own statuses carry its signature
            assertThat(TestSigning.writerVerifier().refusal(Topics.TASK_STATUS.name(), held.key(), held.headers(),
                    Topics.TASK_STATUS.valueSerde().deserialize(held.topic(), held.value()))).isEmpty();

            byte[] value = Topics.TASK_STATUS.valueSerde().serialize(Topics.TASK_STATUS.name(), completed);
            byte[] key = holder.id().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            var byResearch = TestSigning.writerSigned("research", Topics.TASK_STATUS, holder.id(), completed);
            var unsigned = EventHeaders.of(Topics.TASK_STATUS, holder.id());
            TaskStatus other = new TaskStatus(waiting.id(), Crew.DEVELOPMENT, TaskState.COMPLETED, "node-a", 1, "",
                    completed.at());
            var carried = EventHeaders.of(Topics.TASK_STATUS, holder.id());
            carried.add(TestSigning.writerSigned("development", Topics.TASK_STATUS, waiting.id(), other)
                    .lastHeader(EventHeaders.CREW_SIGNATURE));
            for (var headers : List.of(byResearch, unsigned, carried)) {
                producer.sendRaw(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.TASK_STATUS.name(), null,
                        key, value, headers)).get();
            }
            List<String> reasons = new ArrayList<>();
            await("three dead letters").atMost(WAIT).pollInSameThread().until(() -> {
                KafkaTestCluster.poll(dlq).stream().filter(r -> holder.id().equals(r.key()))
                        .forEach(r -> reasons.add(dev.hydra.topics.DeadLetters.header(r.headers(),
                                dev.hydra.topics.DeadLetters.ERROR)));
                return reasons.size() >= 3;
            });
            assertThat(reasons).hasSize(3);
            assertThat(reasons.get(0)).contains("signed by research, which may not write").contains("crew development");
            assertThat(reasons.get(1)).contains("no hydra-crew-signature header");
            assertThat(reasons.get(2)).contains("does not cover");
            // refused statuses never reach the coordinator: the held task stays held
            long quietUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < quietUntil) {
                assertThat(KafkaTestCluster.poll(lane)).noneMatch(r -> r.key().equals(waiting.id()));
            }

            producer.send(Topics.TASK_STATUS, holder.id(), completed, holder.id()).get();
            awaitRecord(lane, "held task released by the honest COMPLETED", r -> r.key().equals(waiting.id()));
        }
    }
}
