package dev.hydra.crew;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.WriterSignature;
import dev.hydra.topics.signing.WriterVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code hydra.tasks.status} says about tasks: for each task id, the highest attempt some
 * member has claimed or finished. A lane record whose attempt is not above that is a copy (a
 * redelivery after a crash, or the router's aging re-publish) and is skipped: the router retries a
 * task that really stopped with the next attempt. The worker's task threads ask it in turn; it
 * catches up to the end of the topic before each decision.
 */
final class StatusLedger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusLedger.class);

    /** The highest claimed or finished attempt of a task, and who reported it. */
    record Seen(int attempt, TaskState state, String node, Instant at) {
    }

    /** Above this many tasks, those last reported before the lookback window are forgotten. */
    private static final int PRUNE_ABOVE = 100_000;
    /** How long a claim waits out a broker that is changing leaders before the worker gives the task up. */
    static final Duration BROKER_PATIENCE = Duration.ofMinutes(2);

    private final TopicReader reader;
    private final Map<String, Seen> seen = new HashMap<>();
    /** The highest attempt of a task that the router stopped (timed out, gave up on). */
    private final Map<String, Integer> stoppedByRouter = new HashMap<>();
    private final Duration lookback;
    private final WriterVerifier writers;
    private long lastCatchUpStart = System.nanoTime() - Duration.ofDays(1).toNanos();

    /**
     * @param writers every writer's public keys: a status counts only when signed by the crew it names or
     *                by the router, and only the router's stops an attempt; anyone else's (a crew claiming
     *                or ending another crew's task, so that its copies would be skipped) is ignored
     */
    StatusLedger(Properties kafkaClientProps, String clientId, Duration lookback, WriterVerifier writers) {
        this.lookback = lookback;
        this.writers = writers;
        this.reader = TopicReader.open(kafkaClientProps, clientId + "-ledger", List.of(Topics.TASK_STATUS.name()),
                TopicReader.Start.since(Instant.now().minus(lookback)));
    }

    /** The claim or end of {@code taskId} at an attempt of at least {@code attempt}, if the topic holds one. */
    Optional<Seen> claimedOrFinished(String taskId, int attempt) {
        long asked = System.nanoTime();
        synchronized (this) {
            caughtUpSince(asked);
            return lookUp(taskId, attempt);
        }
    }

    /**
     * True if the router has stopped {@code attempt} of {@code taskId} (its heartbeat or task timeout ran
     * out, or it gave the task up): the worker running it cancels it before the router retries it.
     */
    boolean stoppedByRouter(String taskId, int attempt) {
        long asked = System.nanoTime();
        synchronized (this) {
            caughtUpSince(asked);
            return stoppedByRouter.getOrDefault(taskId, 0) >= attempt;
        }
    }

    /**
     * A catch-up that began after the question was asked has read everything the answer needs: task
     * threads waiting together share one round trip instead of queueing one each.
     */
    private void caughtUpSince(long askedNanos) {
        if (lastCatchUpStart - askedNanos < 0) {
            lastCatchUpStart = System.nanoTime();
            catchUp();
        }
    }

    private Optional<Seen> lookUp(String taskId, int attempt) {
        Seen found = seen.get(taskId);
        // A task that ended stays ended whatever attempt a later copy claims: hydra-attempt is not signed,
        // so a finished task's signed record put back with a higher attempt must not run again.
        return found != null && (found.attempt() >= attempt || found.state().terminal())
                ? Optional.of(found) : Optional.empty();
    }

    private void catchUp() {
        whileBrokerRecovers(BROKER_PATIENCE, () -> {
            if (!reader.catchUp(Duration.ofSeconds(10), this::record)) {
                LOG.warn("status ledger did not catch up with {} in 10 s; deciding on what it has read",
                        Topics.TASK_STATUS.name());
            }
        });
    }

    /**
     * Runs {@code read} again while it fails with an error the broker will get over (a timeout while a
     * lost broker's partitions move to new leaders, a leader not yet known), for up to {@code patience}:
     * a worker that gave up at the first timeout stopped for good when a broker of a cluster died, and
     * nothing restarted it. Past the patience the error is thrown, as before.
     */
    static void whileBrokerRecovers(Duration patience, Runnable read) {
        long deadline = System.nanoTime() + patience.toNanos();
        long backoffMs = 100;
        while (true) {
            try {
                read.run();
                return;
            } catch (RetriableException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                LOG.warn("status ledger: {}; reading {} again in {} ms", e.toString(), Topics.TASK_STATUS.name(),
                        backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptException(interrupted);
                }
                backoffMs = Math.min(backoffMs * 2, 2_000);
            }
        }
    }

    private void record(ConsumerRecord<String, byte[]> record) {
        TaskStatus status = Topics.TASK_STATUS.valueSerde().deserialize(record.topic(), record.value());
        if (status == null) {
            return;
        }
        Optional<String> refusal = writers.refusal(record.topic(), record.key(), record.headers(), status);
        if (refusal.isPresent()) {
            LOG.warn("status ledger: {}-{}@{} about task {} ignored: {}", record.topic(), record.partition(),
                    record.offset(), status.taskId(), refusal.get());
            return;
        }
        record(status, WriterSignature.ROUTER.equals(writer(record)));
    }

    private static String writer(ConsumerRecord<String, byte[]> record) {
        return EventHeaders.get(record.headers(), EventHeaders.CREW_SIGNATURE).map(WriterSignature::parse)
                .map(WriterSignature::writer).orElse("");
    }

    private void record(TaskStatus status, boolean signedByRouter) {
        if (signedByRouter && status.byRouter()
                && (status.state() == TaskState.INTERRUPTED || status.state() == TaskState.FAILED)) {
            stoppedByRouter.merge(status.taskId(), status.attempt(), Math::max);
        }
        if (!counts(status.state())) {
            return;
        }
        seen.merge(status.taskId(), new Seen(status.attempt(), status.state(), status.node(), status.at()),
                (old, now) -> now.attempt() >= old.attempt() ? now : old);
        if (seen.size() > PRUNE_ABOVE) {
            Instant horizon = Instant.now().minus(lookback);
            seen.values().removeIf(s -> s.at().isBefore(horizon));
            stoppedByRouter.keySet().retainAll(seen.keySet());
        }
    }

    private static boolean counts(TaskState state) {
        return state == TaskState.CLAIMED || state == TaskState.HEARTBEAT || state.terminal();
    }

    @Override
    public synchronized void close() {
        reader.close();
    }
}
