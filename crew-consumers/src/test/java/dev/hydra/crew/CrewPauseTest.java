package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.PauseSwitch;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.signing.TestSigning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hydra pause on a real broker: a paused crew claims nothing; resume and the waiting task is claimed. */
class CrewPauseTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private KafkaTestCluster cluster;
    private EventProducer producer;
    private Reports reports;
    private PauseSwitch pause;
    private CrewWorker worker;
    @TempDir
    Path workDir;

    @BeforeEach
    void start() throws Exception {
        cluster = TestBroker.get();
        producer = new EventProducer(cluster.clientProps(), "crew-pause-test");
        Lanes.skipToEnd(cluster, Crew.INFRASTRUCTURE);
        reports = new Reports(cluster);
        pause = PauseSwitch.start(cluster.clientProps(), "crew-pause-test", PATIENCE);
    }

    @AfterEach
    void stop() {
        // The broker is shared with the other test classes: leave it running.
        PauseSwitch.set(producer, false, "crew-pause-test", "");
        if (worker != null) {
            worker.close();
        }
        pause.close();
        reports.close();
        producer.close();
    }

    @Test
    void aPausedCrewClaimsNothingAndResumeLetsTheWaitingTaskBeClaimed() throws Exception {
        HydraConfig config = HydraConfig.of("""
                crews:
                  concurrency: 1
                  heartbeat: 300ms
                  pollTimeout: 100ms
                services:
                  - name: marker
                    restart: ["sh", "-c", "echo restarted >> marker"]
                    restartTimeout: 10s
                """, Map.of());
        worker = new CrewWorker(config, cluster.clientProps(), Crew.INFRASTRUCTURE, "paused-node", workDir,
                TestRedactor.OPENAI_KEYS, TestSigning.verifier(), TestSigning.crewSigner(Crew.INFRASTRUCTURE), TestSigning.writerVerifier()).pausedBy(pause);
        worker.start();
        PauseSwitch.set(producer, true, "alice", "maintenance");
        await().atMost(Duration.ofSeconds(1)).until(pause::paused);

        Task task = Tasks.restart("marker", 1);
        Tasks.submit(producer, task);
        Thread.sleep(4_000);
        assertThat(reports.statesOf(task.id())).as("a paused crew must not claim").isEmpty();
        assertThat(workDir.resolve("marker")).doesNotExist();

        long resumedAt = System.nanoTime();
        PauseSwitch.set(producer, false, "alice", "");
        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.CLAIMED));
        assertThat((System.nanoTime() - resumedAt) / 1_000_000).as("claimed within a few seconds of resume")
                .isLessThan(5_000);
        await().atMost(PATIENCE).until(() -> reports.statesOf(task.id()).contains(TaskState.COMPLETED));
        assertThat(Files.readString(workDir.resolve("marker"))).isEqualTo("restarted\n");
    }
}
