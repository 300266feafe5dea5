package dev.hydra.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hydra.topics.events.ControlSwitch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pause switch on a real broker: it follows flips within a second and a restart keeps the position. */
class PauseSwitchTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static KafkaTestCluster kafka;

    @BeforeAll
    static void startBroker() {
        kafka = KafkaTestCluster.start().withCatalogTopics();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void followsPauseAndResumeWithinASecondAndARestartStaysPaused() throws Exception {
        try (EventProducer producer = new EventProducer(kafka.clientProps(), "pause-test");
             PauseSwitch running = PauseSwitch.start(kafka.clientProps(), "first", TIMEOUT)) {
            assertFalse(running.paused(), "a switch never flipped means running");
            assertEquals(0.0, PauseSwitch.PAUSED.get());

            ControlSwitch set = PauseSwitch.set(producer, true, "alice", "maintenance");
            long seenWithin = waitFor(running, true);
            assertTrue(seenWithin < 1_000, "the pause must be seen within a second, took " + seenWithin + " ms");
            assertEquals(1.0, PauseSwitch.PAUSED.get());
            assertEquals("alice", running.state().orElseThrow().by());
            assertEquals("maintenance", running.state().orElseThrow().reason());
            assertEquals(set.at(), running.state().orElseThrow().at());

            // A second process starting now reads the compacted topic and starts paused.
            try (PauseSwitch restarted = PauseSwitch.start(kafka.clientProps(), "restarted", TIMEOUT)) {
                assertTrue(restarted.paused(), "a stack restarted while paused must start paused");
            }

            PauseSwitch.set(producer, false, "bob", "");
            seenWithin = waitFor(running, false);
            assertTrue(seenWithin < 1_000, "the resume must be seen within a second, took " + seenWithin + " ms");
            assertEquals(0.0, PauseSwitch.PAUSED.get());
            try (PauseSwitch restarted = PauseSwitch.start(kafka.clientProps(), "restarted-again", TIMEOUT)) {
                assertFalse(restarted.paused(), "after a resume a restart runs");
            }
        }
    }

    @Test
    void aMalformedRecordGoesToTheDlqAndLeavesTheSwitchWhereItWas() throws Exception {
        try (EventProducer producer = new EventProducer(kafka.clientProps(), "pause-bad");
             PauseSwitch running = PauseSwitch.start(kafka.clientProps(), "bad", TIMEOUT);
             KafkaConsumer<String, byte[]> dlq = kafka.consumer(Topics.DLQ.name())) {
            PauseSwitch.set(producer, true, "carol", "");
            waitFor(running, true);
            producer.sendRaw(new ProducerRecord<>(Topics.CONTROL.name(), ControlSwitch.PAUSE.getBytes(
                    StandardCharsets.UTF_8), "{\"name\":\"pause\",\"on\":\"maybe\"}".getBytes(StandardCharsets.UTF_8)))
                    .get();
            boolean dead = false;
            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (!dead && System.currentTimeMillis() < deadline) {
                List<ConsumerRecord<String, byte[]>> records = KafkaTestCluster.poll(dlq);
                dead = records.stream().anyMatch(r -> "pause-switch".equals(
                        DeadLetters.header(r.headers(), DeadLetters.FAILED_BY)));
            }
            assertTrue(dead, "the malformed switch record must be dead-lettered by pause-switch");
            assertTrue(running.paused(), "a malformed record must not flip the switch");
            PauseSwitch.set(producer, false, "carol", "");
            waitFor(running, false);
        }
    }

    private static long waitFor(PauseSwitch pauseSwitch, boolean paused) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TIMEOUT.toNanos();
        while (pauseSwitch.paused() != paused && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(paused, pauseSwitch.paused(), "the switch did not follow the topic");
        return (System.nanoTime() - start) / 1_000_000;
    }
}
