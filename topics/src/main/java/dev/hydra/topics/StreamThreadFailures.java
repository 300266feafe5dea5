package dev.hydra.topics;

import io.prometheus.client.Counter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a Hydra Streams application does when its stream thread dies.
 *
 * <p>A failure the broker reported (an {@link ApiException} somewhere in the cause chain) is
 * transient: after a broker is killed and restarted, its transaction coordinator aborts the
 * transactions that were open longer than their timeout, and the next commit of the surviving
 * producer is refused with {@code InvalidTxnStateException} (KAFKA-19690), which Streams treats as
 * fatal. A new thread gets a new transactional producer, fences the old epoch and carries on from
 * the last committed offsets, so under exactly-once nothing is lost or doubled: the thread is
 * replaced, the failure logged and counted ({@code hydra_stream_threads_replaced_total}).
 *
 * <p>Anything else is a bug in the topology (bad input goes to the DLQ before it can fail a
 * thread), and so is a refused login or a missing ACL, which a new thread would only hit again:
 * the application shuts down and reports unhealthy rather than loop on the same record. So does a
 * transient failure that keeps coming back ({@link #MAX_REPLACEMENTS} within {@link #WINDOW}).
 */
public final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {
    static final int MAX_REPLACEMENTS = 10;
    static final Duration WINDOW = Duration.ofMinutes(10);

    static final Counter REPLACED = Counter.build("hydra_stream_threads_replaced",
            "stream threads replaced after a transient Kafka failure, by application").labelNames("application").register();

    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

    private final String application;
    private final Clock clock;
    private final Deque<Instant> recent = new ArrayDeque<>();

    private StreamThreadFailures(String application, Clock clock) {
        this.application = application;
        this.clock = clock;
    }

    /** The handler of the Streams application {@code application} (its name in logs and metrics). */
    public static StreamThreadFailures of(String application) {
        return new StreamThreadFailures(application, Clock.systemUTC());
    }

    static StreamThreadFailures of(String application, Clock clock) {
        return new StreamThreadFailures(application, clock);
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable error) {
        if (!isTransient(error)) {
            LOG.error("{}: stream thread failed on an error a new thread would hit again; shutting down", application, error);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Instant now = clock.instant();
        while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(WINDOW))) {
            recent.removeFirst();
        }
        if (recent.size() >= MAX_REPLACEMENTS) {
            LOG.error("{}: stream thread failed again, {} replacements within {}; shutting down", application,
                    recent.size(), WINDOW, error);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        recent.addLast(now);
        REPLACED.labels(application).inc();
        LOG.warn("{}: stream thread failed on a transient Kafka error; replacing it (uncommitted work is aborted"
                + " and redone): {}", application, rootMessage(error), error);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** A broker-reported failure other than a login or permission refusal. */
    static boolean isTransient(Throwable error) {
        boolean broker = false;
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
                return false;
            }
            broker |= cause instanceof ApiException;
        }
        return broker;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
