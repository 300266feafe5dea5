package dev.hydra.memory;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.GroupLoop;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.AuditRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code hydra.audit} in the Postgres table {@code audit_log} as well (the seed's
 * {@code hydra.audit_log}), for SQL over the trail. Idempotent: the audit record's id is the
 * primary key and a redelivered record is ignored ({@code ON CONFLICT DO NOTHING}). A retention job
 * deletes rows older than the retention (365 days, like the topic).
 */
final class AuditLogSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLogSink.class);
    static final String GROUP = "hydra-memory-audit-sink";
    private static final String INSERT = """
            INSERT INTO audit_log (id, subject_kind, subject_id, action, verdict, constraint_name, reason, actor,
                                   constitution_sha256, at, prev_hash, hash, record)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (id) DO NOTHING""";

    private final BacklogDatabase database;
    private final Duration retention;
    private final Clock clock;
    private GroupLoop loop;
    private ScheduledExecutorService retentionJob;
    private Connection connection;

    AuditLogSink(BacklogDatabase database, Duration retention, Clock clock) {
        this.database = database;
        this.retention = retention;
        this.clock = clock;
    }

    /** Starts consuming {@code hydra.audit} and runs the retention job every {@code interval}. */
    void start(Properties clientProps, EventProducer deadLetters, Duration interval) {
        loop = GroupLoop.group(GROUP).topics(Topics.AUDIT).named("memory-audit-sink")
                .deadLetters(deadLetters, "memory-projector/audit-sink").start(clientProps, this::onAudit);
        retentionJob = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memory-audit-retention");
            t.setDaemon(true);
            return t;
        });
        retentionJob.scheduleWithFixedDelay(this::deleteExpiredQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean healthy() {
        return loop != null && loop.healthy();
    }

    private void onAudit(ConsumerRecord<byte[], byte[]> record) throws SQLException {
        if (record.value() == null) {
            return;
        }
        write(Topics.AUDIT.valueSerde().deserialize(record.topic(), record.value()));
    }

    /** Inserts the record unless a row with its id exists; true when a row was added. */
    synchronized boolean write(AuditRecord record) throws SQLException {
        try (PreparedStatement insert = connection().prepareStatement(INSERT)) {
            insert.setString(1, record.id());
            insert.setString(2, record.subjectKind().name());
            insert.setString(3, record.subjectId());
            insert.setString(4, record.action());
            insert.setString(5, record.verdict() == null ? null : record.verdict().name());
            insert.setString(6, record.constraint());
            insert.setString(7, record.reason());
            insert.setString(8, record.actor());
            insert.setString(9, record.constitutionSha256());
            insert.setTimestamp(10, Timestamp.from(record.at()));
            insert.setString(11, record.prevHash());
            insert.setString(12, record.hash());
            insert.setString(13, Json.write(record));
            boolean added = insert.executeUpdate() == 1;
            if (added) {
                MemoryMetrics.AUDIT_ROWS.inc();
            }
            return added;
        } catch (SQLException e) {
            resetConnection(); // retried by the consumer loop, on a fresh connection
            throw e;
        }
    }

    /** Deletes rows older than the retention; returns how many. */
    synchronized int deleteExpired() throws SQLException {
        Instant cutoff = clock.instant().minus(retention);
        try (PreparedStatement delete = connection().prepareStatement("DELETE FROM audit_log WHERE at < ?")) {
            delete.setTimestamp(1, Timestamp.from(cutoff));
            int deleted = delete.executeUpdate();
            if (deleted > 0) {
                LOG.info("audit_log retention: deleted {} rows older than {}", deleted, cutoff);
            }
            return deleted;
        } catch (SQLException e) {
            resetConnection();
            throw e;
        }
    }

    private void deleteExpiredQuietly() {
        try {
            deleteExpired();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("audit_log retention failed; next run in the next interval", e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = database.connect();
        }
        return connection;
    }

    private void resetConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        if (retentionJob != null) {
            retentionJob.shutdownNow();
        }
        if (loop != null) {
            loop.close();
        }
        synchronized (this) {
            resetConnection();
        }
    }
}
