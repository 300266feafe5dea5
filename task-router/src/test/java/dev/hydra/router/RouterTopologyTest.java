package dev.hydra.router;

import static dev.hydra.router.RouterDriver.header;
import static dev.hydra.router.RouterDriver.task;
import static dev.hydra.router.RouterDriver.taskOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import io.prometheus.client.CollectorRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterTopologyTest {
    private static final String SETTINGS = """
            router:
              checkInterval: 1s
              promoteAfter: 10m
              heartbeatTimeout: 2m
              taskTimeout: 30m
              maxAttempts: 3
              retryBackoff: 30s
              nodeTimeout: 60s
            """;

    @TempDir
    Path stateDir;
    private RouterDriver router;

    @BeforeEach
    void start() {
        router = new RouterDriver(stateDir, SETTINGS);
    }

    @AfterEach
    void stop() {
        router.close();
    }

    @Test
    void routesApprovedTaskToItsCrewLaneWithCorrelationAndAttemptHeaders() {
        double before = metric("hydra_tasks_routed_total", "crew", "infrastructure", "lane", "1");
        Task restart = task("t-1", Crew.INFRASTRUCTURE, 1, "restart_service", "letta");

        router.approve(restart);

        List<TestRecord<String, byte[]>> lane = router.lane(Crew.INFRASTRUCTURE, 1);
        assertThat(lane).hasSize(1);
        assertThat(lane.get(0).key()).isEqualTo("t-1");
        assertThat(taskOf(lane.get(0))).isEqualTo(restart);
        assertThat(header(lane.get(0).headers(), EventHeaders.CORRELATION_ID)).isEqualTo("t-1");
        assertThat(header(lane.get(0).headers(), EventHeaders.TYPE)).isEqualTo("task");
        assertThat(header(lane.get(0).headers(), TaskRouter.ATTEMPT_HEADER)).isEqualTo("1");
        assertThat(router.lane(Crew.INFRASTRUCTURE, 2)).isEmpty();
        assertThat(metric("hydra_tasks_routed_total", "crew", "infrastructure", "lane", "1")).isEqualTo(before + 1);
    }

    @Test
    void eachPriorityGoesToItsOwnLane() {
        for (int p = 1; p <= 4; p++) {
            router.approve(task("r-" + p, Crew.RESEARCH, p, "research_topic", "topic-" + p));
        }
        for (int p = 1; p <= 4; p++) {
            assertThat(router.lane(Crew.RESEARCH, p)).extracting(TestRecord::key).containsExactly("r-" + p);
        }
    }

    @Test
    void malformedApprovedTaskGoesToTheDeadLetterTopic() {
        router.approveRaw("bad", "{\"priority\": 9, \"crew\": \"research\"}");

        List<TestRecord<String, byte[]>> dead = router.deadLetters();
        assertThat(dead).hasSize(1);
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_TOPIC))
                .isEqualTo(Topics.TASKS_APPROVED.name());
        assertThat(router.lane(Crew.RESEARCH, 1)).isEmpty();
    }

    @Test
    void queueDepthCountsRoutedTasksUntilTheyAreClaimed() {
        Task first = task("q-1", Crew.SELF_IMPROVEMENT, 3, "tune_prompt", "coder");
        Task second = task("q-2", Crew.SELF_IMPROVEMENT, 3, "tune_prompt", "planner");
        router.approve(first);
        router.approve(second);
        router.advance(Duration.ofSeconds(1));
        assertThat(depth(Crew.SELF_IMPROVEMENT, 3)).isEqualTo(2);

        router.report(first, TaskState.CLAIMED, 1);
        router.advance(Duration.ofSeconds(1));
        assertThat(depth(Crew.SELF_IMPROVEMENT, 3)).isEqualTo(1);

        router.report(second, TaskState.COMPLETED, 1);
        router.advance(Duration.ofSeconds(1));
        assertThat(depth(Crew.SELF_IMPROVEMENT, 3)).isZero();
    }

    private static double depth(Crew crew, int lane) {
        return metric("hydra_task_queue_depth", "crew", crew.wireName(), "lane", Integer.toString(lane));
    }

    static double metric(String name, String... labels) {
        String[] names = new String[labels.length / 2];
        String[] values = new String[labels.length / 2];
        for (int i = 0; i < names.length; i++) {
            names[i] = labels[2 * i];
            values[i] = labels[2 * i + 1];
        }
        Double value = CollectorRegistry.defaultRegistry.getSampleValue(name, names, values);
        return value == null ? 0 : value;
    }
}
