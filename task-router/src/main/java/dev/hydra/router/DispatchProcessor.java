package dev.hydra.router;

import dev.hydra.router.rules.Action;
import dev.hydra.router.rules.Dispatcher;
import dev.hydra.router.rules.Policy;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topic;
import dev.hydra.topics.TaskMetrics;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.WriterSigner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the {@link Dispatcher} into the topology: feeds it the coordinator's inputs and a
 * wall-clock tick, and turns its actions into records (lanes, statuses, dead letters) and metrics.
 * Time is the stream thread's wall clock ({@code currentSystemTimeMs}), which tests drive with
 * {@code TopologyTestDriver.advanceWallClockTime}.
 */
final class DispatchProcessor implements Processor<String, RouterInput, String, Outbound> {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchProcessor.class);

    private final Policy policy;
    private final Duration checkInterval;
    private ProcessorContext<String, Outbound> context;
    private Dispatcher dispatcher;
    /** The router's key: its statuses and FAILED results say, verifiably, that the router wrote them. */
    private final WriterSigner signer;

    DispatchProcessor(Policy policy, Duration checkInterval, WriterSigner signer) {
        this.signer = signer;
        this.policy = policy;
        this.checkInterval = checkInterval;
    }

    @Override
    public void init(ProcessorContext<String, Outbound> context) {
        this.context = context;
        this.dispatcher = new Dispatcher(policy, new StoreBoard(context.getStateStore(RouterTopology.TASKS_STORE),
                context.getStateStore(RouterTopology.FINGERPRINTS_STORE),
                context.getStateStore(RouterTopology.RESOURCES_STORE),
                context.getStateStore(RouterTopology.NODES_STORE), context.getStateStore(RouterTopology.ENDS_STORE)));
        context.schedule(checkInterval, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, RouterInput> record) {
        long now = context.currentSystemTimeMs();
        RouterInput input = record.value();
        List<Action> actions;
        if (input.task() != null) {
            actions = dispatcher.approved(input.task(), input.origin(), now);
        } else if (input.status() != null) {
            actions = dispatcher.status(input.status(), now);
        } else {
            actions = dispatcher.node(input.node(), now);
        }
        actions.forEach(action -> perform(action, now));
    }

    private void tick(long now) {
        dispatcher.tick(now).forEach(action -> perform(action, now));
        RouterMetrics.queueDepth(dispatcher.queueDepth());
    }

    private void perform(Action action, long now) {
        // Java 17: no pattern matching for switch yet, so one branch per action type.
        if (action instanceof Action.Route route) {
            routed(route, now);
        } else if (action instanceof Action.Report report) {
            send(report.status().taskId(), Outbound.of(Topics.TASK_STATUS, report.status()),
                    signed(Topics.TASK_STATUS, report.status().taskId(), report.status()), now);
            if (report.status().state() == TaskState.HELD) {
                RouterMetrics.CONFLICTS.inc();
            }
        } else if (action instanceof Action.Drop drop) {
            RouterMetrics.DEDUPLICATED.inc();
            // On the status topic too, so that `hydra history` and the console say why the task stopped.
            Task dropped = drop.task();
            TaskStatus duplicate = new TaskStatus(dropped.id(), dropped.crew(), TaskState.DUPLICATE, "router", 1,
                    "dropped: the same work is open as task " + drop.openTaskId() + " (" + drop.fingerprint() + ")",
                    java.time.Instant.ofEpochMilli(now));
            send(dropped.id(), Outbound.of(Topics.TASK_STATUS, duplicate), signed(Topics.TASK_STATUS, dropped.id(), duplicate),
                    now);
            LOG.info("task {} dropped: same work as open task {} ({})", drop.task().id(), drop.openTaskId(),
                    drop.fingerprint());
        } else if (action instanceof Action.Resolved) {
            RouterMetrics.CONFLICTS_RESOLVED.inc();
        } else if (action instanceof Action.Interrupted stuck) {
            RouterMetrics.INTERRUPTED.labels(stuck.task().crew().wireName(), stuck.reason().name()).inc();
            LOG.warn("task {} attempt {} interrupted: {}{}", stuck.task().id(), stuck.attempt(), stuck.reason(),
                    stuck.retried() ? ", will retry" : ", giving up");
        } else if (action instanceof Action.Replayed replayed) {
            Task task = replayed.task();
            String reason = "task " + task.id() + " already ended at " + Instant.ofEpochMilli(replayed.endedAtMs())
                    + ": its approval put back on " + Topics.TASKS_APPROVED.name() + " is not new work and is not"
                    + " routed (hydra replay makes a copy under a new id)";
            Headers headers = DeadLetters.headers(replayed.origin().topic(), replayed.origin().partition(),
                    replayed.origin().offset(), new TaskAbandonedException(reason), RouterTopology.APP);
            EventHeaders.set(headers, Topics.TASKS_APPROVED, task.id());
            send(task.id(), new Outbound(Topics.DLQ.name(), Topics.TASKS_APPROVED.valueSerde().serialize(Topics.DLQ.name(),
                    task)), headers, now);
            LOG.warn("{}", reason);
        } else if (action instanceof Action.GiveUp giveUp) {
            deadLetter(giveUp, now);
            failedResult(giveUp, now);
        }
    }

    private void routed(Action.Route route, long now) {
        Task task = route.task();
        Topic<Task> lane = Topics.crewLane(task.crew(), task.priority());
        Headers headers = EventHeaders.of(lane, task.id());
        EventHeaders.putAttempt(headers, route.attempt());
        if (route.signature() != null) {
            EventHeaders.put(headers, EventHeaders.SIGNATURE, route.signature());
        }
        send(task.id(), Outbound.of(lane, task), headers, now);
        RouterMetrics.ROUTED.labels(task.crew().wireName(), Integer.toString(task.priority())).inc();
        if (route.why() == Action.Why.PROMOTED) {
            RouterMetrics.PROMOTED.labels(task.crew().wireName()).inc();
        }
        LOG.debug("task {} to {} (attempt {}, {})", task.id(), lane, route.attempt(), route.why());
    }

    /** The task as approved (its bytes), with headers naming where it came from and why it failed. */
    private void deadLetter(Action.GiveUp giveUp, long now) {
        Task task = giveUp.task();
        Headers headers = DeadLetters.headers(giveUp.origin().topic(), giveUp.origin().partition(),
                giveUp.origin().offset(), new TaskAbandonedException(giveUp.reason()), RouterTopology.APP);
        EventHeaders.set(headers, Topics.TASKS_APPROVED, task.id());
        EventHeaders.putAttempt(headers, giveUp.attempt());
        if (giveUp.origin().signature() != null) {
            // kept for the record; put back on hydra.tasks.approved it is refused as ended (hydra replay
            // makes a copy under a new id, which the constitution judges again)
            EventHeaders.put(headers, EventHeaders.SIGNATURE, giveUp.origin().signature());
        }
        byte[] value = Topics.TASKS_APPROVED.valueSerde().serialize(Topics.DLQ.name(), task);
        send(task.id(), new Outbound(Topics.DLQ.name(), value), headers, now);
        RouterMetrics.ABANDONED.labels(task.crew().wireName()).inc();
        LOG.error("task {} failed for good, sent to {} (origin {}-{}@{}): {}", task.id(), Topics.DLQ,
                giveUp.origin().topic(), giveUp.origin().partition(), giveUp.origin().offset(), giveUp.reason());
    }

    /**
     * The task's result, FAILED with the reason: no worker writes one for a task whose last attempt never
     * finished (its model endpoint was down, it timed out), and a person, the console and memory look for
     * a result. Counted with the crews' failures in hydra_tasks_failed.
     */
    private void failedResult(Action.GiveUp giveUp, long now) {
        Task task = giveUp.task();
        TaskResult result = new TaskResult(task.id(), task.crew(), task.action(), Outcome.FAILED, giveUp.reason(),
                Map.of("attempts", giveUp.attempt()), 0, 0, Dispatcher.ROUTER, Instant.ofEpochMilli(now));
        // A dry run's result is what the pipeline would have done: it stays out of memory, as a crew's does.
        Topic<TaskResult> results = Replay.isDryRun(task.replay()) ? Topics.REPLAY_RESULTS : Topics.TASK_RESULTS;
        send(task.id(), Outbound.of(results, result), signed(results, task.id(), result), now);
        TaskMetrics.FAILED.labels(task.crew().wireName()).inc();
    }

    /** Hydra's headers for a record of {@code topic}, signed by the router where the topic's records are. */
    private Headers signed(Topic<?> topic, String key, Object value) {
        Headers headers = EventHeaders.of(topic, key);
        return WriterSigner.signs(topic.name()) ? signer.signed(headers, topic.name(), key, value) : headers;
    }

    private void send(String key, Outbound value, Headers headers, long now) {
        context.forward(new Record<>(key, value, now, headers));
    }
}
