package dev.hydra.crew;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Redactor;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one attempt's status and result events (CLAIMED, HEARTBEAT, then COMPLETED/FAILED with the
 * result, or INTERRUPTED); serialized, so that a late heartbeat never follows the end. Everything an
 * agent or a command printed is redacted first: it may hold a secret.
 */
final class TaskReporter {
    private static final Logger LOG = LoggerFactory.getLogger(TaskReporter.class);

    private final EventProducer producer;
    private final Redactor redactor;
    private final Crew crew;
    private final String node;
    private final Task task;
    private final int attempt;
    private long startedNanos = System.nanoTime();
    private boolean finished;
    private String cancelled;

    TaskReporter(EventProducer producer, Redactor redactor, Crew crew, String node, Task task, int attempt) {
        this.producer = producer;
        this.redactor = redactor;
        this.crew = crew;
        this.node = node;
        this.task = task;
        this.attempt = attempt;
    }

    Task task() {
        return task;
    }

    int attempt() {
        return attempt;
    }

    /** CLAIMED, durable before the work starts; the attempt's duration counts from here. */
    synchronized void claimed() throws InterruptedException {
        startedNanos = System.nanoTime();
        status(TaskState.CLAIMED, "claimed by " + node);
    }

    private void status(TaskState state, String detail) throws InterruptedException {
        await(producer.send(Topics.TASK_STATUS, task.id(),
                redactor.redact(new TaskStatus(task.id(), crew, state, node, attempt, detail, Instant.now())),
                task.id()));
    }

    /** Marks the attempt cancelled by the router; false if it had already ended. */
    synchronized boolean cancel() {
        if (finished || cancelled != null) {
            return false;
        }
        cancelled = "cancelled on " + node + ": the router stopped attempt " + attempt;
        return true;
    }

    synchronized Optional<String> cancelled() {
        return Optional.ofNullable(cancelled);
    }

    synchronized void heartbeat() {
        if (finished) {
            return;
        }
        producer.send(Topics.TASK_STATUS, task.id(), new TaskStatus(task.id(), crew, TaskState.HEARTBEAT, node,
                attempt, "running for " + elapsedMs() + " ms", Instant.now()), task.id());
    }

    /** Best effort while shutting down: the interrupt is set aside for the one send. */
    synchronized void interrupted(String detail) {
        finished = true;
        boolean wasInterrupted = Thread.interrupted();
        try {
            producer.send(Topics.TASK_STATUS, task.id(), redactor.redact(new TaskStatus(task.id(), crew,
                            TaskState.INTERRUPTED, node, attempt, detail, Instant.now())), task.id())
                    .get(5, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("{}@{}: could not report INTERRUPTED for {}: {}", crew.wireName(), node, task.id(), e.getMessage());
        } finally {
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    synchronized void finish(TaskOutcome outcome) throws InterruptedException {
        finished = true;
        TaskState state = outcome.outcome() == Outcome.SUCCEEDED ? TaskState.COMPLETED : TaskState.FAILED;
        TaskResult result = redactor.redact(new TaskResult(task.id(), crew, task.action(), outcome.outcome(),
                outcome.summary(), outcome.artefacts(), outcome.tokens(), elapsedMs(), node, Instant.now()));
        // A dry run's result is what the pipeline would have done, not work done: it stays out of memory.
        Topic<TaskResult> results = Replay.isDryRun(task.replay()) ? Topics.REPLAY_RESULTS : Topics.TASK_RESULTS;
        Future<?> sent = producer.send(results, task.id(), result, task.id());
        status(state, result.summary());
        await(sent);
    }

    /**
     * Waits as long as the producer keeps retrying (its delivery.timeout.ms): a broker restart is
     * a pause, not a reason to give the task up.
     */
    private void await(Future<?> sent) throws InterruptedException {
        try {
            sent.get();
        } catch (ExecutionException e) {
            // Without the report the task must not be acknowledged: stop and let a member redo it.
            throw new IllegalStateException("cannot report task " + task.id() + ": " + e.getMessage(), e);
        }
    }

    private long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}
