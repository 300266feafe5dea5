package dev.hydra.topics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The two plain-client mechanisms every module reads with, against a real broker. */
class PlainClientsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static KafkaTestCluster cluster;
    private static EventProducer producer;

    @BeforeAll
    static void startBroker() {
        cluster = KafkaTestCluster.start().withCatalogTopics();
        producer = new EventProducer(cluster.clientProps(), "plain-clients-test");
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
        cluster.close();
    }

    private static String topic(int partitions) throws Exception {
        String name = "plain-" + UUID.randomUUID();
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
        return name;
    }

    private static void write(String topic, String... values) throws Exception {
        write(topic, Instant.now(), values);
    }

    /** Written with a plain producer: EventProducer stamps each record with the time it sends it. */
    private static void write(String topic, Instant at, String... values) throws Exception {
        try (KafkaProducer<String, String> plain = new KafkaProducer<>(cluster.clientProps(), new StringSerializer(),
                new StringSerializer())) {
            for (String value : values) {
                plain.send(new ProducerRecord<>(topic, 0, at.toEpochMilli(), value, value)).get();
            }
        }
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Test
    void groupLoopDeadLettersTheInvalidRetriesTheFailedAndCommitsOnlyWhatWasHandled() throws Exception {
        String topic = topic(1);
        String group = "plain-group-" + UUID.randomUUID();
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        write(topic, "a", "poison", "flaky", "d");
        try (KafkaConsumer<String, byte[]> dlq = cluster.consumer(Topics.DLQ.name());
             GroupLoop loop = GroupLoop.group(group).topicNames(List.of(topic)).named("plain-loop")
                     .deadLetters(producer, "plain-test").start(cluster.clientProps(), record -> {
                         String value = text(record.value());
                         if (value.equals("poison")) {
                             throw new InvalidEventException("poison: not an event");
                         }
                         if (value.equals("flaky") && failuresLeft.getAndDecrement() > 0) {
                             throw new IllegalStateException("the database is down");
                         }
                         handled.add(value);
                     })) {
            await().atMost(PATIENCE).until(() -> handled.size() == 3);
            assertThat(handled).as("each valid record handled once, in order, the failed one after its retries")
                    .containsExactly("a", "flaky", "d");
            assertThat(failuresLeft.get()).isNegative();
            List<ConsumerRecord<String, byte[]>> dead = new CopyOnWriteArrayList<>();
            await().atMost(PATIENCE).until(() -> {
                KafkaTestCluster.poll(dlq).stream().filter(r -> topic.equals(
                        DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC))).forEach(dead::add);
                return !dead.isEmpty();
            });
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(text(r.value())).isEqualTo("poison");
                assertThat(DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
                assertThat(DeadLetters.header(r.headers(), DeadLetters.FAILED_BY)).isEqualTo("plain-test");
                assertThat(DeadLetters.header(r.headers(), DeadLetters.ERROR)).contains("not an event");
            });
            assertThat(loop.healthy()).isTrue();
            try (Admin admin = cluster.admin()) {
                await().atMost(PATIENCE).untilAsserted(() -> {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get();
                    assertThat(committed.get(new TopicPartition(topic, 0)).offset()).isEqualTo(4);
                });
            }
        }
    }

    @Test
    void groupLoopInterruptsAHandlerThatOutlivesTheCloseGrace() throws Exception {
        String topic = topic(1);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        write(topic, "slow");
        GroupLoop loop = GroupLoop.group("plain-slow-" + UUID.randomUUID()).topicNames(List.of(topic))
                .deadLetters(producer, "plain-test").closeGrace(Duration.ofMillis(200))
                .start(cluster.clientProps(), record -> {
                    started.incrementAndGet();
                    try {
                        Thread.sleep(Duration.ofMinutes(5).toMillis());
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        throw e;
                    }
                });
        await().atMost(PATIENCE).until(() -> started.get() == 1);
        loop.close();
        assertThat(interrupted.get()).as("the running handler was interrupted by close").isEqualTo(1);
        assertThat(loop.healthy()).isFalse();
    }

    @Test
    void topicReaderReadsAFiniteRangeCatchesUpOnDemandAndFollows() throws Exception {
        String topic = topic(3);
        Instant between = Instant.now().minusSeconds(30);
        write(topic, between.minusSeconds(30), "one", "two");
        write(topic, "three");

        List<String> all = new CopyOnWriteArrayList<>();
        TopicReader.read(cluster.clientProps(), topic, Optional.empty(), PATIENCE, r -> all.add(text(r.value())));
        assertThat(all).containsExactly("one", "two", "three");
        List<String> since = new CopyOnWriteArrayList<>();
        TopicReader.read(cluster.clientProps(), topic, Optional.of(between), PATIENCE, r -> since.add(text(r.value())));
        assertThat(since).containsExactly("three");
        List<String> first = new CopyOnWriteArrayList<>();
        TopicReader.read(cluster.clientProps(), topic, Optional.empty(), PATIENCE, r -> {
            first.add(text(r.value()));
            return false;
        });
        assertThat(first).as("a reader stops when told").containsExactly("one");

        Map<String, Integer> followed = new ConcurrentHashMap<>();
        List<String> caughtUp = new CopyOnWriteArrayList<>();
        try (TopicReader follower = TopicReader.open(cluster.clientProps(), "plain-follower", List.of(topic),
                TopicReader.Start.beginning()).follow("plain-follower", r -> {
                    if (text(r.value()).equals("unusable")) {
                        throw new IllegalArgumentException("a view skips what it cannot use");
                    }
                    followed.merge(text(r.value()), 1, Integer::sum);
                });
             TopicReader fromEnd = TopicReader.open(cluster.clientProps(), "plain-catch-up", List.of(topic),
                     TopicReader.Start.end())) {
            assertThat(follower.awaitCaughtUp(PATIENCE)).isTrue();
            assertThat(followed).containsOnlyKeys("one", "two", "three");
            write(topic, "unusable", "four");
            await().atMost(PATIENCE).until(() -> followed.containsKey("four"));
            assertThat(follower.healthy()).isTrue();
            assertThat(followed.values()).as("every record once").containsOnly(1);

            assertThat(fromEnd.catchUp(PATIENCE, r -> caughtUp.add(text(r.value())))).isTrue();
            assertThat(caughtUp).as("a reader from the end sees only what came after it opened")
                    .containsExactly("unusable", "four");
            assertThat(fromEnd.catchUp(PATIENCE, r -> caughtUp.add(text(r.value())))).isTrue();
            assertThat(caughtUp).as("a second catch-up reads nothing twice").hasSize(2);
        }
    }
}
