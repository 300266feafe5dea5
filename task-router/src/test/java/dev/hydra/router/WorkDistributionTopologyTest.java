package dev.hydra.router;

import static dev.hydra.router.RouterDriver.header;
import static dev.hydra.router.RouterDriver.task;
import static dev.hydra.router.RouterDriver.taskOf;
import static dev.hydra.router.RouterTopologyTest.metric;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router half of "work distribution": aging, dedup, conflicts, node affinity, stuck tasks. */
class WorkDistributionTopologyTest {
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

    /** Advances in one-minute steps, the given tasks' crews sending a heartbeat after each. */
    private void minutesWithHeartbeats(int minutes, int attempt, Task... running) {
        for (int i = 0; i < minutes; i++) {
            router.advance(Duration.ofMinutes(1));
            for (Task task : running) {
                router.report(task, TaskState.HEARTBEAT, attempt);
            }
        }
    }

    @Test
    void unclaimedTaskIsPromotedOneLaneAtATimeWithTheSameIdWhileAClaimedOneStays() {
        Task waiting = task("age-1", Crew.RESEARCH, 4, "research_topic", "kafka tiered storage");
        Task claimed = task("age-2", Crew.RESEARCH, 4, "research_topic", "vllm");
        router.approve(waiting);
        router.approve(claimed);
        router.report(claimed, TaskState.CLAIMED, 1);
        assertThat(router.lane(Crew.RESEARCH, 4)).extracting(TestRecord::key).containsExactly("age-1", "age-2");

        minutesWithHeartbeats(9, 1, claimed);
        assertThat(router.lane(Crew.RESEARCH, 3)).as("not yet: 9 of 10 minutes").isEmpty();

        minutesWithHeartbeats(1, 1, claimed);
        List<TestRecord<String, byte[]>> promoted = router.lane(Crew.RESEARCH, 3);
        assertThat(promoted).extracting(TestRecord::key).containsExactly("age-1");
        assertThat(taskOf(promoted.get(0)).priority()).isEqualTo(3);
        assertThat(header(promoted.get(0).headers(), TaskRouter.ATTEMPT_HEADER)).isEqualTo("1");

        minutesWithHeartbeats(10, 1, claimed);
        assertThat(router.lane(Crew.RESEARCH, 2)).extracting(TestRecord::key).containsExactly("age-1");
        router.advance(Duration.ofSeconds(1));
        assertThat(metric("hydra_task_queue_depth", "crew", "research", "lane", "2")).isEqualTo(1);
        assertThat(metric("hydra_task_queue_depth", "crew", "research", "lane", "4")).isZero();

        router.report(claimed, TaskState.COMPLETED, 1);
        router.report(waiting, TaskState.CLAIMED, 1);
        minutesWithHeartbeats(11, 1, waiting);
        assertThat(router.lane(Crew.RESEARCH, 1)).as("claimed tasks are not promoted").isEmpty();
    }

    @Test
    void duplicateWorkIsDroppedUntilTheOpenTaskIsTerminal() {
        double before = metric("hydra_tasks_deduplicated_total");
        Task first = task("dup-1", Crew.INFRASTRUCTURE, 1, "restart_service", "letta");
        router.approve(first);
        router.approve(task("dup-2", Crew.INFRASTRUCTURE, 2, "restart_service", "letta"));
        router.report(first, TaskState.CLAIMED, 1);
        router.approve(task("dup-3", Crew.INFRASTRUCTURE, 1, "restart_service", "letta"));

        assertThat(router.lane(Crew.INFRASTRUCTURE, 1)).extracting(TestRecord::key).containsExactly("dup-1");
        assertThat(router.lane(Crew.INFRASTRUCTURE, 2)).isEmpty();
        assertThat(metric("hydra_tasks_deduplicated_total")).isEqualTo(before + 2);
        assertThat(router.statuses()).filteredOn(s -> s.taskId().equals("dup-2")).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(TaskState.DUPLICATE);
            assertThat(s.detail()).contains("open as task dup-1");
        });

        router.report(first, TaskState.COMPLETED, 1);
        router.approve(task("dup-4", Crew.INFRASTRUCTURE, 1, "restart_service", "letta"));
        assertThat(router.lane(Crew.INFRASTRUCTURE, 1)).extracting(TestRecord::key).containsExactly("dup-4");
        assertThat(metric("hydra_tasks_deduplicated_total")).isEqualTo(before + 2);
    }

    private static Task changing(String id, int priority, int impact, String target, String resource) {
        return new Task(id, null, priority, impact, "change " + target, Crew.INFRASTRUCTURE,
                Map.of("action", "reconfigure", "service", target), List.of(resource), List.of(), "test", null);
    }

    @Test
    void conflictingTasksAreHeldAndReleasedByPriorityThenImpactAsEachHolderFinishes() {
        double conflicts = metric("hydra_conflicts_total");
        double resolved = metric("hydra_conflicts_resolved_total");
        Task holder = changing("c-holder", 2, 50, "letta-a", "service:letta");
        Task lowPriority = changing("c-low", 3, 90, "letta-b", "service:letta");
        Task urgentSmall = changing("c-urgent-small", 1, 10, "letta-c", "service:letta");
        Task urgentBig = changing("c-urgent-big", 1, 70, "letta-d", "service:letta");
        router.approve(holder);
        router.approve(lowPriority);
        router.approve(urgentSmall);
        router.approve(urgentBig);

        assertThat(router.lane(Crew.INFRASTRUCTURE, 2)).extracting(TestRecord::key).containsExactly("c-holder");
        assertThat(router.lane(Crew.INFRASTRUCTURE, 1)).isEmpty();
        assertThat(router.statuses()).filteredOn(s -> s.state() == TaskState.HELD).extracting(TaskStatus::taskId)
                .containsExactly("c-low", "c-urgent-small", "c-urgent-big");
        assertThat(router.statuses()).filteredOn(s -> s.state() == TaskState.HELD).extracting(TaskStatus::detail)
                .allMatch(detail -> detail.contains("service:letta") && detail.contains("c-holder"));
        assertThat(metric("hydra_conflicts_total")).isEqualTo(conflicts + 3);

        router.report(holder, TaskState.COMPLETED, 1);
        assertThat(router.lane(Crew.INFRASTRUCTURE, 1)).extracting(TestRecord::key).containsExactly("c-urgent-big");

        router.report(urgentBig, TaskState.FAILED, 1);
        assertThat(router.lane(Crew.INFRASTRUCTURE, 1)).extracting(TestRecord::key).containsExactly("c-urgent-small");
        assertThat(router.lane(Crew.INFRASTRUCTURE, 3)).isEmpty();

        router.report(urgentSmall, TaskState.COMPLETED, 1);
        assertThat(router.lane(Crew.INFRASTRUCTURE, 3)).extracting(TestRecord::key).containsExactly("c-low");
        assertThat(metric("hydra_conflicts_resolved_total")).isEqualTo(resolved + 3);
    }

    @Test
    void holderThatTimesOutForGoodReleasesItsResource() {
        Task holder = changing("t-holder", 1, 50, "db-a", "db:hydra");
        Task next = changing("t-next", 1, 50, "db-b", "db:hydra");
        router.approve(holder);
        router.approve(next);
        router.lane(Crew.INFRASTRUCTURE, 1);
        for (int attempt = 1; attempt <= 3; attempt++) {
            router.report(holder, TaskState.CLAIMED, attempt);
            router.advance(Duration.ofMinutes(3));  // no heartbeat: stuck
            router.advance(Duration.ofMinutes(2));  // backoff passed: retried (or, after 3, given up)
        }
        assertThat(router.lane(Crew.INFRASTRUCTURE, 1)).extracting(TestRecord::key)
                .containsExactly("t-holder", "t-holder", "t-next");
    }

    @Test
    void taskRequiringACapabilityWaitsVisiblyUntilALiveNodeOfItsCrewHasIt() {
        Task describe = new Task("vision-1", null, 2, 50, "Describe the dashboard screenshot", Crew.RESEARCH,
                Map.of("action", "describe_image", "path", "/workspace/dash.png"), List.of(), List.of("vision"),
                "test", null);
        router.approve(describe);
        assertThat(router.statesOf(describe)).containsExactly(TaskState.WAITING_FOR_NODE);
        assertThat(router.lane(Crew.RESEARCH, 2)).isEmpty();

        router.announce("cpu-1", Crew.RESEARCH, List.of("large-context"));
        router.announce("gpu-dev", Crew.DEVELOPMENT, List.of("vision"));
        router.advance(Duration.ofSeconds(5));
        assertThat(router.lane(Crew.RESEARCH, 2)).as("no research node with vision yet").isEmpty();

        router.announce("gpu-1", Crew.RESEARCH, List.of("vision", "large-context"));
        List<TestRecord<String, byte[]>> routed = router.lane(Crew.RESEARCH, 2);
        assertThat(routed).extracting(TestRecord::key).containsExactly("vision-1");
        assertThat(router.statesOf(describe)).containsExactly(TaskState.WAITING_FOR_NODE);
    }

    @Test
    void degradedNodeDoesNotCountUntilItIsUpAgain() {
        router.announce("gpu-1", Crew.RESEARCH, List.of("vision"), NodeAnnouncement.Health.DEGRADED);
        Task describe = new Task("vision-3", null, 3, 50, "Describe", Crew.RESEARCH,
                Map.of("action", "describe_image", "path", "/workspace/b.png"), List.of(), List.of("vision"),
                "test", null);
        router.approve(describe);
        assertThat(router.statesOf(describe)).containsExactly(TaskState.WAITING_FOR_NODE);
        assertThat(router.lane(Crew.RESEARCH, 3)).isEmpty();

        router.announce("gpu-1", Crew.RESEARCH, List.of("vision")); // its endpoint answers again
        assertThat(router.lane(Crew.RESEARCH, 3)).extracting(TestRecord::key).containsExactly("vision-3");
    }

    private static double failed(Crew crew) {
        return metric("hydra_tasks_failed_total", "crew", crew.wireName());
    }

    @Test
    void nodeThatStoppedHeartbeatingNoLongerCountsAsLive() {
        router.announce("gpu-1", Crew.RESEARCH, List.of("vision"));
        router.advance(Duration.ofSeconds(61));
        Task describe = new Task("vision-2", null, 3, 50, "Describe", Crew.RESEARCH,
                Map.of("action", "describe_image", "path", "/workspace/a.png"), List.of(), List.of("vision"),
                "test", null);
        router.approve(describe);
        assertThat(router.statesOf(describe)).containsExactly(TaskState.WAITING_FOR_NODE);

        router.announce("gpu-1", Crew.RESEARCH, List.of("vision")); // its next heartbeat
        assertThat(router.lane(Crew.RESEARCH, 3)).extracting(TestRecord::key).containsExactly("vision-2");
    }

    @Test
    void stuckTaskIsInterruptedRetriedWithTheNextAttemptThenFailedAndDeadLettered() {
        Task stuck = task("stuck-1", Crew.DEVELOPMENT, 2, "complete_feature", "login");
        double failedBefore = failed(Crew.DEVELOPMENT);
        router.approve(stuck);
        assertThat(router.lane(Crew.DEVELOPMENT, 2)).extracting(r -> header(r.headers(), TaskRouter.ATTEMPT_HEADER))
                .containsExactly("1");

        router.report(stuck, TaskState.CLAIMED, 1);
        router.advance(Duration.ofMinutes(2));
        assertThat(router.statesOf(stuck)).as("2 minutes without heartbeat is still within the timeout").isEmpty();
        router.advance(Duration.ofSeconds(1));
        assertThat(router.statesOf(stuck)).containsExactly(TaskState.INTERRUPTED);
        router.advance(Duration.ofSeconds(29));
        assertThat(router.lane(Crew.DEVELOPMENT, 2)).as("backoff of 30 s not over").isEmpty();
        router.advance(Duration.ofSeconds(1));
        assertThat(router.lane(Crew.DEVELOPMENT, 2)).extracting(r -> header(r.headers(), TaskRouter.ATTEMPT_HEADER))
                .containsExactly("2");
        assertThat(router.statesOf(stuck)).containsExactly(TaskState.INTERRUPTED, TaskState.RETRIED);

        router.report(stuck, TaskState.CLAIMED, 2);
        router.advance(Duration.ofMinutes(3));
        router.advance(Duration.ofSeconds(60)); // second backoff doubles
        assertThat(router.lane(Crew.DEVELOPMENT, 2)).extracting(r -> header(r.headers(), TaskRouter.ATTEMPT_HEADER))
                .containsExactly("3");

        router.report(stuck, TaskState.CLAIMED, 3);
        router.advance(Duration.ofMinutes(3));
        assertThat(router.statesOf(stuck)).containsExactly(TaskState.INTERRUPTED, TaskState.RETRIED,
                TaskState.INTERRUPTED, TaskState.RETRIED, TaskState.INTERRUPTED, TaskState.FAILED);
        assertThat(router.statuses()).filteredOn(s -> s.taskId().equals("stuck-1")).extracting(TaskStatus::attempt)
                .containsExactly(1, 2, 2, 3, 3, 3);
        List<TestRecord<String, byte[]>> dead = router.deadLetters();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).key()).isEqualTo("stuck-1");
        assertThat(Topics.TASK.deserialize("", dead.get(0).value()).id()).isEqualTo("stuck-1");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.ERROR))
                .startsWith("HEARTBEAT_MISSED after attempt 3 of 3");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_TOPIC))
                .isEqualTo(Topics.TASKS_APPROVED.name());
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.FAILED_BY)).isEqualTo("task-router");
        assertThat(header(dead.get(0).headers(), TaskRouter.ATTEMPT_HEADER)).isEqualTo("3");
        assertThat(router.results()).as("no worker finished it: the router writes its result").singleElement()
                .satisfies(result -> {
                    assertThat(result.taskId()).isEqualTo("stuck-1");
                    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
                    assertThat(result.summary()).startsWith("HEARTBEAT_MISSED after attempt 3 of 3");
                    assertThat(result.node()).isEqualTo(TaskStatus.ROUTER);
                });
        assertThat(failed(Crew.DEVELOPMENT) - failedBefore).isEqualTo(1);

        router.approve(task("stuck-2", Crew.DEVELOPMENT, 2, "complete_feature", "login"));
        assertThat(router.lane(Crew.DEVELOPMENT, 2)).as("the same work may be proposed again once it failed")
                .extracting(TestRecord::key).containsExactly("stuck-2");
    }

    @Test
    void taskRunningPastTheTaskTimeoutIsInterruptedDespiteHeartbeats() {
        Task slow = task("slow-1", Crew.RESEARCH, 3, "research_topic", "everything");
        router.approve(slow);
        router.report(slow, TaskState.CLAIMED, 1);
        minutesWithHeartbeats(30, 1, slow);
        assertThat(router.statesOf(slow)).isEmpty();

        minutesWithHeartbeats(1, 1, slow);
        assertThat(router.statuses()).filteredOn(s -> s.taskId().equals("slow-1")).singleElement()
                .satisfies(s -> {
                    assertThat(s.state()).isEqualTo(TaskState.INTERRUPTED);
                    assertThat(s.detail()).contains("task timeout");
                });
    }
}
