package dev.hydra.crew;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Redactor;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a task on its task thread: the claim decision ({@link ClaimRules} on what the
 * {@link StatusLedger} has seen), CLAIMED, the work with heartbeats (each also checking that the
 * router still counts on the attempt), and the end reported by the {@link TaskReporter}. Kafka
 * offsets are not its business: the worker acknowledges the record once this returns.
 */
final class TaskAttempts {
    private static final Logger LOG = LoggerFactory.getLogger(TaskAttempts.class);

    private final String worker;
    private final Crew crew;
    private final String node;
    private final List<String> capabilities;
    private final StatusLedger ledger;
    private final EventProducer producer;
    private final Redactor redactor;
    private final CrewExecutors executors;
    private final ScheduledExecutorService heartbeats;
    private final Duration heartbeat;
    private final Path workDir;
    private final StepJournal journal;

    TaskAttempts(String worker, Crew crew, String node, List<String> capabilities, StatusLedger ledger,
                 EventProducer producer, Redactor redactor, CrewExecutors executors,
                 ScheduledExecutorService heartbeats, Duration heartbeat, Path workDir, StepJournal journal) {
        this.worker = worker;
        this.crew = crew;
        this.node = node;
        this.capabilities = List.copyOf(capabilities);
        this.ledger = ledger;
        this.producer = producer;
        this.redactor = redactor;
        this.executors = executors;
        this.heartbeats = heartbeats;
        this.heartbeat = heartbeat;
        this.workDir = workDir;
        this.journal = journal;
    }

    /** Runs on the task thread: claim, work with heartbeats, report. Returns once the reports are durable. */
    void run(Task task, int attempt, Runnable cancel) {
        Optional<ClaimRules.Seen> copy = ledger.claimedOrFinished(task.id(), attempt)
                .map(seen -> new ClaimRules.Seen(seen.attempt(), seen.state().name(), seen.node()));
        TaskReporter reporter = new TaskReporter(producer, redactor, crew, node, task, attempt);
        ClaimRules.Decision decision = ClaimRules.beforeClaim(task, attempt, copy, node, capabilities);
        if (decision instanceof ClaimRules.Decision.Copy skipped) {
            LOG.info("{}: {}", worker, skipped.reason());
            return;
        }
        if (decision instanceof ClaimRules.Decision.HandBack handBack) {
            LOG.warn("{}: task {} handed back (INTERRUPTED): {}", worker, task.id(), handBack.reason());
            reporter.interrupted(handBack.reason());
            return;
        }
        CrewMetrics.ACTIVE_AGENTS.labels(crew.wireName()).inc();
        ScheduledFuture<?> beats = null;
        try {
            reporter.claimed();
            beats = heartbeats.scheduleAtFixedRate(() -> beat(reporter, cancel), heartbeat.toMillis(),
                    heartbeat.toMillis(), TimeUnit.MILLISECONDS);
            TaskOutcome outcome = executors.execute(new TaskContext(task, attempt, node, workDir, journal));
            beats.cancel(false);
            reporter.finish(outcome);
            (outcome.outcome() == Outcome.SUCCEEDED ? CrewMetrics.TASKS_COMPLETED : CrewMetrics.TASKS_FAILED)
                    .labels(crew.wireName()).inc();
            LOG.info("{}: task {} ({}) attempt {} {}: {}", worker, task.id(), task.action(), attempt,
                    outcome.outcome(), outcome.summary());
        } catch (RetriableFailure e) {
            LOG.warn("{}: task {} attempt {} hit a retriable error, reported INTERRUPTED: {}", worker, task.id(),
                    attempt, e.getMessage());
            reporter.interrupted("retriable error: " + e.getMessage());
        } catch (InterruptedException e) {
            // The worker is closing mid-task: not acknowledged; INTERRUPTED asks the router for the next attempt.
            // Or the router timed the attempt out: then the next attempt is already on its way.
            reporter.interrupted(reporter.cancelled().orElse("worker " + node + " stopped mid-task"));
            Thread.currentThread().interrupt();
            LOG.warn("{}: task {} attempt {} interrupted by shutdown", worker, task.id(), attempt);
        } finally {
            if (beats != null) {
                beats.cancel(false);
            }
            CrewMetrics.ACTIVE_AGENTS.labels(crew.wireName()).dec();
        }
    }

    /**
     * A heartbeat, and the check that the router still counts on this attempt: one it timed out is
     * cancelled here (the agent interrupted, a command it runs killed) before the router's backoff
     * lets the next attempt start elsewhere.
     */
    private void beat(TaskReporter reporter, Runnable cancel) {
        reporter.heartbeat();
        try {
            if (ledger.stoppedByRouter(reporter.task().id(), reporter.attempt()) && reporter.cancel()) {
                LOG.warn("{}: the router stopped task {} attempt {}; cancelling it", worker, reporter.task().id(),
                        reporter.attempt());
                cancel.run();
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot check whether task {} is still wanted: {}", worker, reporter.task().id(),
                    e.getMessage());
        }
    }
}
