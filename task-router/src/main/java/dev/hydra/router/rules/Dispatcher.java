package dev.hydra.router.rules;

import dev.hydra.router.rules.Action.Why;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.VerdictSignature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The router's state machine, free of Kafka: approved tasks, task statuses, node announcements and
 * the passing of time go in; {@link Action}s come out. Every rule it applies lives in its own class
 * (fingerprints, conflicts, affinity, aging, liveness, retries); this class only sequences them.
 *
 * <p>A new task passes, in order: dedup (drop if the same work is open), node affinity (wait if no
 * live node can run it), conflicts (hold if a resource is taken), then goes to its lane and holds
 * its resources until a terminal status. Affinity comes before conflicts so that a task that cannot
 * run anyway does not block the resources of one that can.
 *
 * <p>Statuses with an attempt lower than the current one are about a superseded copy and ignored;
 * statuses the router itself writes (WAITING_FOR_NODE, HELD, RETRIED, and INTERRUPTED/FAILED for
 * attempts it already moved past or tasks it already closed) come back on the status topic and are
 * ignored the same way, so the router never reacts to its own echo.
 */
public final class Dispatcher {
    /** The node name the router puts on the statuses it writes. */
    public static final String ROUTER = TaskStatus.ROUTER;

    /**
     * How long an ended task's id is remembered: as long as hydra.tasks.approved keeps its signed
     * record (30 days), the only copy that could be put back.
     */
    static final java.time.Duration REMEMBER_ENDS = java.time.Duration.ofDays(31);
    private static final java.time.Duration PRUNE_EVERY = java.time.Duration.ofHours(1);

    private final Policy policy;
    private final Board board;
    private long lastPruneMs = Long.MIN_VALUE / 2;

    public Dispatcher(Policy policy, Board board) {
        this.policy = policy;
        this.board = board;
    }

    /** A task approved by the constitution. */
    public List<Action> approved(Task task, Origin origin, long nowMs) {
        if (board.task(task.id()).isPresent()) {
            return List.of(); // a redelivered approval of a task that is already open
        }
        Optional<Board.Ended> ended = board.endedAt(task.id());
        if (ended.isPresent()) {
            // Routed again, a task whose id ended would be skipped by the crews without a word and stay
            // open for good, holding its resources and its fingerprint against every later task doing
            // the same work. The same content is its signed record put back on the approved topic
            // (anyone who read it holds a copy): dead-lettered. Other content is a new proposal under the
            // ended id (a gap the assessor still sees after its episode's task ended): not new work.
            return VerdictSignature.contentSha256(task).equals(ended.get().contentSha256())
                    ? List.of(new Action.Replayed(task, origin, ended.get().atMs())) : List.of();
        }
        String fingerprint = Fingerprint.of(task);
        Optional<String> open = board.fingerprintOwner(fingerprint);
        if (open.isPresent()) {
            return List.of(new Action.Drop(task, fingerprint, open.get()));
        }
        board.openFingerprint(fingerprint, task.id());
        List<Action> actions = new ArrayList<>();
        admit(TrackedTask.arrived(task, origin, fingerprint, nowMs), null, nowMs, Why.NEW, actions);
        return actions;
    }

    /** A status from {@code hydra.tasks.status}. */
    public List<Action> status(TaskStatus status, long nowMs) {
        Optional<TrackedTask> found = board.task(status.taskId());
        if (found.isEmpty()) {
            return List.of();
        }
        TrackedTask task = found.get();
        List<Action> actions = new ArrayList<>();
        switch (status.state()) {
            case COMPLETED -> close(task, nowMs, actions); // whichever attempt finished, the work is done
            case FAILED -> {
                if (status.attempt() >= task.attempt()) { // not the late word of an attempt already replaced
                    close(task, nowMs, actions);
                }
            }
            case CLAIMED, HEARTBEAT -> {
                if (status.attempt() >= task.attempt()
                        && (task.phase() == Phase.QUEUED || task.phase() == Phase.CLAIMED)) {
                    board.save(task.beat(nowMs));
                }
            }
            case INTERRUPTED -> {
                if (status.attempt() >= task.attempt()
                        && (task.phase() == Phase.QUEUED || task.phase() == Phase.CLAIMED)) {
                    String detail = "interrupted by " + (status.node().isEmpty() ? "its crew" : status.node())
                            + (status.detail().isEmpty() ? "" : ": " + status.detail());
                    interrupt(task, new Liveness.Verdict(Liveness.Stuck.INTERRUPTED_BY_CREW, detail), false, nowMs,
                            actions);
                }
            }
            case WAITING_FOR_NODE, HELD, RETRIED -> {
                // written by the router itself
            }
            case REFUSED -> {
                // a crew refused a lane record whose signature did not verify: a forged or altered copy,
                // not this task's own record, which stays queued (and ages) as it was
            }
        }
        return actions;
    }

    /** A node announced itself (or its heartbeat): tasks of its crew that waited for it may go. */
    public List<Action> node(NodeAnnouncement node, long nowMs) {
        board.saveNode(node);
        List<Action> actions = new ArrayList<>();
        for (TrackedTask waiting : inPhase(Phase.WAITING_FOR_NODE)) {
            if (waiting.task().crew() == node.crew()) {
                admit(waiting, Phase.WAITING_FOR_NODE, nowMs, Why.NODE_READY, actions);
            }
        }
        return actions;
    }

    /** The passing of time: aging, stuck detection, due retries, nodes that appeared or expired. */
    public List<Action> tick(long nowMs) {
        List<Action> actions = new ArrayList<>();
        if (nowMs - lastPruneMs >= PRUNE_EVERY.toMillis()) {
            board.forgetEndsBefore(nowMs - REMEMBER_ENDS.toMillis());
            lastPruneMs = nowMs;
        }
        for (String id : board.tasks().stream().sorted(Conflicts.RELEASE_ORDER).map(TrackedTask::id).toList()) {
            // re-read: handling an earlier task (a close releasing held ones) may have changed this one
            Optional<TrackedTask> current = board.task(id);
            if (current.isEmpty()) {
                continue;
            }
            TrackedTask task = current.get();
            switch (task.phase()) {
                case QUEUED -> {
                    if (Aging.due(task.lane(), task.sinceMs(), nowMs, policy.promoteAfter())) {
                        route(task.queuedIn(Aging.promoted(task.lane()), nowMs), Why.PROMOTED, actions);
                    }
                }
                case CLAIMED -> Liveness.check(task.startedAtMs(), task.lastBeatMs(), nowMs,
                                policy.heartbeatTimeout(), policy.taskTimeout())
                        .ifPresent(verdict -> interrupt(task, verdict, true, nowMs, actions));
                case RETRY_PENDING -> {
                    if (nowMs >= task.retryAtMs()) {
                        actions.add(report(task, TaskState.RETRIED, "attempt " + task.attempt() + " of "
                                + policy.retry().maxAttempts(), nowMs));
                        route(task.queuedIn(task.lane(), nowMs), Why.RETRY, actions);
                    }
                }
                case WAITING_FOR_NODE -> admit(task, Phase.WAITING_FOR_NODE, nowMs, Why.NODE_READY, actions);
                case HELD -> {
                    // released when a holder closes; see close()
                }
            }
        }
        releaseHeld(nowMs, actions); // also heals a hold whose holder vanished without a terminal status
        return actions;
    }

    /** A crew's lane. */
    public record Lane(Crew crew, int priority) {
    }

    /**
     * Tasks published to each lane and not claimed yet (no CLAIMED, HEARTBEAT or terminal status
     * seen), every lane present. A promoted task counts in its current lane only.
     */
    public Map<Lane, Integer> queueDepth() {
        Map<Lane, Integer> depth = new LinkedHashMap<>();
        for (Crew crew : Crew.values()) {
            for (int p = Task.HIGHEST_PRIORITY; p <= Task.LOWEST_PRIORITY; p++) {
                depth.put(new Lane(crew, p), 0);
            }
        }
        for (TrackedTask task : inPhase(Phase.QUEUED)) {
            depth.merge(new Lane(task.task().crew(), task.lane()), 1, Integer::sum);
        }
        return depth;
    }

    /**
     * Sends {@code task} on if a node can run it and its resources are free; otherwise parks it as
     * WAITING_FOR_NODE or HELD, reporting the status only when the phase changes.
     */
    private void admit(TrackedTask task, Phase from, long nowMs, Why why, List<Action> actions) {
        Task work = task.task();
        if (!work.requires().isEmpty() // most tasks: skip reading the nodes
                && !Affinity.canRun(work.crew(), work.requires(), board.nodes(), nowMs, policy.nodeTimeout())) {
            if (from != Phase.WAITING_FOR_NODE) {
                board.save(task.in(Phase.WAITING_FOR_NODE, nowMs));
                actions.add(report(task, TaskState.WAITING_FOR_NODE, "no live " + work.crew() + " node has "
                        + work.requires(), nowMs));
                resolvedIfHeld(from, work, actions);
            }
            return;
        }
        Map<String, String> blockers = Conflicts.blockers(work.id(), Conflicts.claims(work), board::resourceHolder);
        if (!blockers.isEmpty()) {
            if (from != Phase.HELD) {
                board.save(task.in(Phase.HELD, nowMs));
                actions.add(report(task, TaskState.HELD, describe(blockers), nowMs));
            }
            return;
        }
        Conflicts.claims(work).forEach(resource -> board.hold(resource, work.id()));
        resolvedIfHeld(from, work, actions);
        route(task.queuedIn(task.lane(), nowMs), why, actions);
    }

    private static void resolvedIfHeld(Phase from, Task work, List<Action> actions) {
        if (from == Phase.HELD) {
            actions.add(new Action.Resolved(work));
        }
    }

    private void route(TrackedTask queued, Why why, List<Action> actions) {
        board.save(queued);
        actions.add(new Action.Route(queued.asPublished(), queued.attempt(), why, queued.origin().signature()));
    }

    /** INTERRUPTED, then a retry after backoff or, when attempts are used up, FAILED and a dead letter. */
    private void interrupt(TrackedTask task, Liveness.Verdict verdict, boolean report, long nowMs,
                           List<Action> actions) {
        if (report) {
            actions.add(report(task, TaskState.INTERRUPTED, verdict.detail(), nowMs));
        }
        boolean retried = !policy.retry().exhausted(task.attempt());
        actions.add(new Action.Interrupted(task.task(), task.attempt(), verdict.reason(), retried));
        if (retried) {
            board.save(task.retryAt(nowMs + policy.retry().delayAfter(task.attempt()).toMillis(), nowMs));
            return;
        }
        String reason = verdict.reason() + " after attempt " + task.attempt() + " of " + policy.retry().maxAttempts()
                + ": " + verdict.detail();
        actions.add(report(task, TaskState.FAILED, reason, nowMs));
        actions.add(new Action.GiveUp(task.task(), task.origin(), task.attempt(), reason)); // as approved: replayable
        close(task, nowMs, actions);
    }

    /** A terminal status: the work is no longer open; its resources go to the held tasks. */
    private void close(TrackedTask task, long nowMs, List<Action> actions) {
        board.forget(task.id());
        board.ended(task.id(), new Board.Ended(nowMs, VerdictSignature.contentSha256(task.task())));
        if (board.fingerprintOwner(task.fingerprint()).filter(task.id()::equals).isPresent()) {
            board.closeFingerprint(task.fingerprint());
        }
        for (String resource : Conflicts.claims(task.task())) {
            if (board.resourceHolder(resource).filter(task.id()::equals).isPresent()) {
                board.free(resource);
            }
        }
        releaseHeld(nowMs, actions);
    }

    private void releaseHeld(long nowMs, List<Action> actions) {
        for (TrackedTask held : inPhase(Phase.HELD)) {
            // re-read: a release earlier in this loop may have taken the resources this one wants
            board.task(held.id()).filter(t -> t.phase() == Phase.HELD)
                    .ifPresent(t -> admit(t, Phase.HELD, nowMs, Why.RELEASED, actions));
        }
    }

    private List<TrackedTask> inPhase(Phase phase) {
        return board.tasksIn(phase).stream().sorted(Conflicts.RELEASE_ORDER).toList();
    }

    private static Action.Report report(TrackedTask task, TaskState state, String detail, long nowMs) {
        return new Action.Report(new TaskStatus(task.id(), task.task().crew(), state, ROUTER, task.attempt(), detail,
                Instant.ofEpochMilli(nowMs)));
    }

    private static String describe(Map<String, String> blockers) {
        StringBuilder text = new StringBuilder("waiting for ");
        blockers.forEach((resource, holder) -> text.append(resource).append(" (held by task ").append(holder)
                .append(") "));
        return text.toString().trim();
    }
}
