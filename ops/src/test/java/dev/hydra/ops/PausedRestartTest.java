package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/** A stack stopped while paused comes back paused: it claims nothing until someone resumes it. */
class PausedRestartTest {

    @Test
    void aPausedStackRestartsPausedAndWorksOnceResumed() throws Exception {
        try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
            HydraConfig config = HydraConfig.of("kafka:\n  bootstrap: " + kafka.bootstrap() + "\n", Map.of(
                    "HYDRA_CONSTITUTION", Path.of("../config/constitution.yaml").toAbsolutePath().normalize().toString()));
            Path data = Files.createTempDirectory("hydra-paused-restart");
            HydraStack.Options options = new HydraStack.Options(config, data, Optional.of(kafka.bootstrap()), 0,
                    Optional.of(0), List.of(Crew.INFRASTRUCTURE));
            try (HydraStack first = HydraStack.start(options)) {
                first.setPaused(true, "admin", "GPU maintenance");
                await().atMost(Duration.ofSeconds(5)).until(() -> first.pauseSwitch().orElseThrow().paused());
            }

            try (HydraStack again = HydraStack.start(options);
                 KafkaConsumer<String, byte[]> statuses = KafkaTestCluster.consumer(again.clientProps(Principal.ADMIN),
                         Topics.TASK_STATUS.name())) {
                assertThat(again.pauseSwitch().orElseThrow().paused()).as("paused from its first moment").isTrue();
                again.submit(new Task("paused-restart-1", null, 1, 50, "pipeline smoke task", Crew.INFRASTRUCTURE,
                        Map.of("action", "noop", "target", "paused-restart"), List.of(), List.of(), "test", null));
                List<TaskStatus> seen = new ArrayList<>();
                // approved and routed to its lane in well under this time, but no crew claims it while paused
                await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    KafkaTestCluster.poll(statuses).forEach(r -> seen.add(
                            Topics.TASK_STATUS.valueSerde().deserialize(r.topic(), r.value())));
                    assertThat(seen).filteredOn(s -> s.taskId().equals("paused-restart-1"))
                            .extracting(TaskStatus::state).doesNotContain(TaskState.CLAIMED);
                });

                again.setPaused(false, "admin", "");
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    KafkaTestCluster.poll(statuses).forEach(r -> seen.add(
                            Topics.TASK_STATUS.valueSerde().deserialize(r.topic(), r.value())));
                    assertThat(seen).filteredOn(s -> s.taskId().equals("paused-restart-1"))
                            .extracting(TaskStatus::state).contains(TaskState.CLAIMED, TaskState.COMPLETED);
                });
            }
        }
    }
}
