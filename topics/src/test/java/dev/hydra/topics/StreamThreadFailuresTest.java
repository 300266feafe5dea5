package dev.hydra.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
    /** What the router's thread died of after the broker's kill -9 and restart (ChaosSuiteTest). */
    private static final Throwable REFUSED_COMMIT = new StreamsException(new KafkaException("Unexpected error in TxnOffsetCommitResponse",
            new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state.")));

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T06:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void aTransactionTheBrokerRefusedAfterItsRestartReplacesTheThreadAndIsCounted() {
        StreamThreadFailures handler = StreamThreadFailures.of("test-refused-commit", clock);
        double before = counted("test-refused-commit");

        assertThat(handler.handle(REFUSED_COMMIT)).isEqualTo(REPLACE_THREAD);
        assertThat(counted("test-refused-commit")).isEqualTo(before + 1);
    }

    @Test
    void aBugInTheTopologyShutsTheApplicationDownInsteadOfLoopingOnTheSameRecord() {
        StreamThreadFailures handler = StreamThreadFailures.of("test-bug", clock);

        assertThat(handler.handle(new StreamsException("Exception caught in process", new NullPointerException("verdict"))))
                .isEqualTo(SHUTDOWN_CLIENT);
        assertThat(counted("test-bug")).isZero();
    }

    @Test
    void aMissingAclIsNotTransientThoughTheBrokerReportedIt() {
        StreamThreadFailures handler = StreamThreadFailures.of("test-acl", clock);

        assertThat(handler.handle(new StreamsException(new TopicAuthorizationException("hydra.tasks.approved"))))
                .isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void aTransientFailureThatKeepsComingBackShutsDownUntilTheWindowHasPassed() {
        StreamThreadFailures handler = StreamThreadFailures.of("test-repeated", clock);
        for (int i = 0; i < StreamThreadFailures.MAX_REPLACEMENTS; i++) {
            assertThat(handler.handle(REFUSED_COMMIT)).isEqualTo(REPLACE_THREAD);
            now.set(now.get().plusSeconds(1));
        }

        assertThat(handler.handle(REFUSED_COMMIT)).isEqualTo(SHUTDOWN_CLIENT);
        now.set(now.get().plus(StreamThreadFailures.WINDOW).plus(Duration.ofSeconds(1)));
        assertThat(handler.handle(REFUSED_COMMIT)).isEqualTo(REPLACE_THREAD);
    }

    private static double counted(String application) {
        Double value = io.prometheus.client.CollectorRegistry.defaultRegistry.getSampleValue(
                "hydra_stream_threads_replaced_total", new String[] {"application"}, new String[] {application});
        return value == null ? 0 : value;
    }
}
