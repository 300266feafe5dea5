package dev.hydra.router.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dispatcher's sequencing of the rules, on a map board, with time as plain numbers. */
class DispatcherTest {
    private static final long MIN = 60_000;
    private final MapBoard board = new MapBoard();
    private final Dispatcher dispatcher = new Dispatcher(new Policy(Duration.ofMinutes(10), Duration.ofSeconds(60),
            Duration.ofMinutes(2), Duration.ofMinutes(30), new RetryPolicy(2, Duration.ofSeconds(30))), board);

    private static Task task(String id, int priority, List<String> resources, List<String> requires) {
        return new Task(id, null, priority, 50, "d", Crew.DEVELOPMENT, Map.of("action", "build", "feature", id),
                resources, requires, "test", null);
    }

    private static TaskStatus status(Task task, TaskState state, int attempt, String node) {
        return new TaskStatus(task.id(), task.crew(), state, node, attempt, "", Instant.EPOCH);
    }

    private static List<TaskState> reported(List<Action> actions) {
        return actions.stream().filter(Action.Report.class::isInstance)
                .map(a -> ((Action.Report) a).status().state()).toList();
    }

    private static List<Action.Route> routes(List<Action> actions) {
        return actions.stream().filter(Action.Route.class::isInstance).map(Action.Route.class::cast).toList();
    }

    @Test
    void dryRunReplayIsNeitherDroppedAsLiveWorkNorHeldBehindItButMeetsItsOwnRunsConflicts() {
        Task live = task("a", 2, List.of("db:x"), List.of());
        dispatcher.approved(live, Origin.UNKNOWN, 0);
        Replay run = new Replay("run-1", "a", true);
        Task copy = live.replayed("run-1:a", run, Instant.EPOCH);
        Task secondCopy = task("b", 2, List.of("db:x"), List.of()).replayed("run-1:b", new Replay("run-1", "b", true),
                Instant.EPOCH);

        assertThat(routes(dispatcher.approved(copy, Origin.UNKNOWN, 0))).singleElement()
                .satisfies(route -> assertThat(route.task().id()).isEqualTo("run-1:a"));
        assertThat(reported(dispatcher.approved(secondCopy, Origin.UNKNOWN, 0)))
                .as("the run's own copies still conflict").containsExactly(TaskState.HELD);
        assertThat(board.resources).containsEntry("db:x", "a").containsEntry("replay:run-1/db:x", "run-1:a");

        Task realReplay = live.replayed("run-2:a", new Replay("run-2", "a", false), Instant.EPOCH);
        assertThat(dispatcher.approved(realReplay, Origin.UNKNOWN, 0)).as("a real replay is live work")
                .singleElement().isInstanceOf(Action.Drop.class);
    }

    @Test
    void ignoresItsOwnStatusesWhenTheyComeBack() {
        Task held = task("b", 2, List.of("db:x"), List.of());
        dispatcher.approved(task("a", 2, List.of("db:x"), List.of()), Origin.UNKNOWN, 0);
        List<Action> hold = dispatcher.approved(held, Origin.UNKNOWN, 0);
        TaskStatus echo = ((Action.Report) hold.get(0)).status();

        assertThat(dispatcher.status(echo, 1)).isEmpty();
        assertThat(board.tasks.get("b").phase()).isEqualTo(Phase.HELD);
    }

    @Test
    void statusOfASupersededAttemptDoesNotRestartTheClock() {
        Task work = task("a", 2, List.of(), List.of());
        dispatcher.approved(work, Origin.UNKNOWN, 0);
        dispatcher.status(status(work, TaskState.CLAIMED, 1, "n1"), 0);
        dispatcher.tick(3 * MIN); // missed heartbeat: INTERRUPTED, retry pending as attempt 2
        assertThat(board.tasks.get("a").attempt()).isEqualTo(2);

        assertThat(dispatcher.status(status(work, TaskState.HEARTBEAT, 1, "n1"), 3 * MIN)).isEmpty();
        assertThat(dispatcher.status(status(work, TaskState.INTERRUPTED, 1, "task-router"), 3 * MIN)).isEmpty();
        assertThat(board.tasks.get("a").phase()).isEqualTo(Phase.RETRY_PENDING);
    }

    @Test
    void lateFailureOfAReplacedAttemptDoesNotCloseTheTaskButALateSuccessDoes() {
        Task work = task("a", 2, List.of("db:x"), List.of());
        dispatcher.approved(work, Origin.UNKNOWN, 0);
        dispatcher.status(status(work, TaskState.CLAIMED, 1, "n1"), 0);
        dispatcher.tick(3 * MIN); // attempt 1 stuck; attempt 2 pending

        dispatcher.status(status(work, TaskState.FAILED, 1, "n1"), 3 * MIN);
        assertThat(board.tasks).containsKey("a");
        dispatcher.status(status(work, TaskState.COMPLETED, 1, "n1"), 3 * MIN);
        assertThat(board.tasks).isEmpty();
        assertThat(board.resources).isEmpty();
        assertThat(dispatcher.tick(10 * MIN)).as("no retry of finished work").isEmpty();
    }

    @Test
    void crewInterruptionIsRetriedWithoutASecondInterruptedStatus() {
        Task work = task("a", 3, List.of(), List.of());
        dispatcher.approved(work, Origin.UNKNOWN, 0);
        dispatcher.status(status(work, TaskState.CLAIMED, 1, "n1"), 0);

        List<Action> actions = dispatcher.status(status(work, TaskState.INTERRUPTED, 1, "n1"), MIN);
        assertThat(reported(actions)).isEmpty();
        assertThat(actions).singleElement().isInstanceOfSatisfying(Action.Interrupted.class,
                i -> assertThat(i.reason()).isEqualTo(Liveness.Stuck.INTERRUPTED_BY_CREW));

        List<Action> retry = dispatcher.tick(MIN + 30_000);
        assertThat(reported(retry)).containsExactly(TaskState.RETRIED);
        assertThat(routes(retry)).singleElement().satisfies(r -> {
            assertThat(r.attempt()).isEqualTo(2);
            assertThat(r.why()).isEqualTo(Action.Why.RETRY);
        });
    }

    @Test
    void heldTaskThatStillLacksANodeMovesToWaitingWhenReleased() {
        dispatcher.approved(task("holder", 2, List.of("repo:hydra@main"), List.of()), Origin.UNKNOWN, 0);
        board.saveNode(new NodeAnnouncement("gpu", Crew.DEVELOPMENT, List.of(), List.of("vision"), Instant.EPOCH));
        Task needsVision = task("v", 2, List.of("repo:hydra@main"), List.of("vision"));
        assertThat(reported(dispatcher.approved(needsVision, Origin.UNKNOWN, 1000))).containsExactly(TaskState.HELD);

        List<Action> released = dispatcher.status(status(task("holder", 2, List.of(), List.of()),
                TaskState.COMPLETED, 1, "n1"), 2 * MIN); // the vision node is no longer live by now
        assertThat(reported(released)).containsExactly(TaskState.WAITING_FOR_NODE);
        assertThat(released).hasAtLeastOneElementOfType(Action.Resolved.class);
        assertThat(board.resources).isEmpty();
    }

    @Test
    void giveUpAfterTheLastAttemptFreesEverythingForTheNextTask() {
        Task work = task("a", 1, List.of("service:letta"), List.of());
        Task waiting = task("b", 1, List.of("service:letta"), List.of());
        dispatcher.approved(work, new Origin("hydra.tasks.approved", 4, 17), 0);
        dispatcher.approved(waiting, Origin.UNKNOWN, 0);
        dispatcher.status(status(work, TaskState.CLAIMED, 1, "n1"), 0);
        dispatcher.tick(3 * MIN);                 // attempt 1 stuck → retry at +30 s
        dispatcher.tick(3 * MIN + 30_000);        // attempt 2 published
        dispatcher.status(status(work, TaskState.CLAIMED, 2, "n1"), 4 * MIN);

        List<Action> last = dispatcher.tick(7 * MIN); // attempt 2 stuck, maxAttempts 2: give up
        assertThat(reported(last)).containsExactly(TaskState.INTERRUPTED, TaskState.FAILED);
        assertThat(last).filteredOn(Action.GiveUp.class::isInstance).singleElement()
                .isInstanceOfSatisfying(Action.GiveUp.class, g -> {
                    assertThat(g.origin()).isEqualTo(new Origin("hydra.tasks.approved", 4, 17));
                    assertThat(g.reason()).startsWith("HEARTBEAT_MISSED after attempt 2 of 2");
                });
        assertThat(routes(last)).extracting(r -> r.task().id()).containsExactly("b");
        assertThat(board.resources).containsExactly(Map.entry("service:letta", "b"));
        assertThat(board.fingerprints).doesNotContainValue("a");
    }
}
