package dev.hydra.memory;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.CdcEvent;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.signing.TestSigning;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Postgres side against a real embedded PostgreSQL (wal_level=logical) and a real broker:
 * change capture of the backlog tables and the audit_log sink.
 */
@ExtendWith(TestBroker.class)
class PostgresSideTest {
    private static final Duration WITHIN = Duration.ofSeconds(120);
    @TempDir
    static Path dataDir;
    static KafkaTestCluster kafka;
    static BacklogDatabase database;
    static EventProducer producer;

    @BeforeAll
    static void start() {
        kafka = TestBroker.get();
        database = BacklogDatabase.embedded(dataDir.resolve("postgres"), 0);
        producer = new EventProducer(kafka.clientProps(), "test-postgres-side", TestSigning.asTheCrewNamed());
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (database != null) {
            database.close();
        }
    }

    static void sql(String... statements) throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** Reads change events from a consumer until {@code done} holds for what was read. */
    static List<CdcEvent> readUntil(KafkaConsumer<String, byte[]> consumer, List<CdcEvent> seen,
                                    java.util.function.Predicate<List<CdcEvent>> done) {
        await().atMost(WITHIN).until(() -> {
            for (ConsumerRecord<String, byte[]> r : KafkaTestCluster.poll(consumer)) {
                seen.add(Topics.CDC_EVENT.deserialize(r.topic(), r.value()));
            }
            return done.test(seen);
        });
        return seen;
    }

    static boolean has(List<CdcEvent> events, String op, String column, Object value) {
        return events.stream().anyMatch(e -> e.op().equals(op) && value.equals(e.row().get(column)));
    }

    @Test
    void embeddedPostgresRunsWithLogicalReplication() throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW wal_level")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("logical");
        }
        assertThat(database.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:").contains("/hydra");
    }

    @Test
    void insertsUpdatesAndDeletesOfTheBacklogReachTheChangeTopics() throws Exception {
        try (ChangeCapture capture = new ChangeCapture(database.endpoint(), dataDir.resolve("cdc-a"), producer,
                "hydra_test_a");
             KafkaConsumer<String, byte[]> gaps = kafka.consumer(Topics.CDC_KNOWLEDGE_GAPS.name());
             KafkaConsumer<String, byte[]> services = kafka.consumer(Topics.CDC_SERVICES.name())) {
            sql("INSERT INTO knowledge_gaps (topic) VALUES ('warm-up')");
            capture.start();
            List<CdcEvent> seen = new ArrayList<>();
            readUntil(gaps, seen, events -> events.stream().anyMatch(e -> "warm-up".equals(e.row().get("topic"))));

            sql("INSERT INTO knowledge_gaps (topic) VALUES ('speculative decoding')",
                    "UPDATE knowledge_gaps SET resolved = true WHERE topic = 'speculative decoding'",
                    "DELETE FROM knowledge_gaps WHERE topic = 'speculative decoding'",
                    "INSERT INTO services (name, status) VALUES ('letta', 'down')");
            readUntil(gaps, seen, events -> has(events, "d", "topic", "speculative decoding"));

            CdcEvent insert = seen.stream().filter(e -> e.op().equals("c")
                    && "speculative decoding".equals(e.row().get("topic"))).findFirst().orElseThrow();
            CdcEvent update = seen.stream().filter(e -> e.op().equals("u")).findFirst().orElseThrow();
            CdcEvent delete = seen.stream().filter(e -> e.op().equals("d")).findFirst().orElseThrow();
            assertThat(insert.table()).isEqualTo("knowledge_gaps");
            assertThat(insert.key()).containsOnlyKeys("id");
            assertThat(insert.after()).containsEntry("resolved", false);
            assertThat(insert.source()).startsWith("lsn=").doesNotContain("snapshot");
            assertThat(update.before()).containsEntry("resolved", false);
            assertThat(update.after()).containsEntry("resolved", true);
            assertThat(delete.before()).containsEntry("topic", "speculative decoding");
            assertThat(delete.after()).isEmpty();
            assertThat(delete.key()).isEqualTo(insert.key());

            List<CdcEvent> serviceEvents = readUntil(services, new ArrayList<>(), events -> has(events, "c", "name", "letta"));
            assertThat(serviceEvents).filteredOn(e -> "letta".equals(e.row().get("name"))).first()
                    .satisfies(e -> assertThat(e.key()).containsEntry("name", "letta"));
        }
    }

    @Test
    void aRestartedCaptureResumesWithoutLosingChanges() throws Exception {
        Path offsets = dataDir.resolve("cdc-b");
        Set<Object> expected = new TreeSet<>();
        try (KafkaConsumer<String, byte[]> features = kafka.consumer(Topics.CDC_FEATURES.name())) {
            List<CdcEvent> seen = new ArrayList<>();
            ChangeCapture first = new ChangeCapture(database.endpoint(), offsets, producer, "hydra_test_b");
            first.start();
            for (int i = 0; i < 5; i++) {
                sql("INSERT INTO features (name) VALUES ('before-" + i + "')");
                expected.add("before-" + i);
            }
            readUntil(features, seen, events -> names(events).containsAll(Set.of("before-4")));
            // Stopped mid-stream: these changes happen while nothing is capturing.
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 5; i++) {
                        sql("INSERT INTO features (name) VALUES ('during-" + i + "')");
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            first.close();
            writer.join(TimeUnit.SECONDS.toMillis(30));
            for (int i = 0; i < 5; i++) {
                expected.add("during-" + i);
            }
            sql("UPDATE features SET status = 'done' WHERE name = 'during-0'");

            ChangeCapture second = new ChangeCapture(database.endpoint(), offsets, producer, "hydra_test_b");
            try (second) {
                second.start();
                for (int i = 0; i < 5; i++) {
                    sql("INSERT INTO features (name) VALUES ('after-" + i + "')");
                    expected.add("after-" + i);
                }
                await().atMost(WITHIN).untilAsserted(() -> {
                    for (ConsumerRecord<String, byte[]> r : KafkaTestCluster.poll(features)) {
                        seen.add(Topics.CDC_EVENT.deserialize(r.topic(), r.value()));
                    }
                    assertThat(names(seen)).containsAll(expected);
                    assertThat(seen).anyMatch(e -> e.op().equals("u") && "done".equals(e.after().get("status")));
                });
            }
            // Duplicates after a restart are possible; the LSN lets readers drop them.
            assertThat(seen).allSatisfy(e -> assertThat(e.source()).matches("lsn=\\d+ .*"));
        }
    }

    private static Set<Object> names(List<CdcEvent> events) {
        Set<Object> names = new TreeSet<>();
        events.forEach(e -> names.add(String.valueOf(e.row().get("name"))));
        return names;
    }

    static AuditRecord audit(String id, Instant at) {
        return new AuditRecord(id, SubjectKind.TASK, "task-" + id, "verdict", Decision.ALLOW, "", "allowed", "constitution",
                "abc", at, "", "h-" + id);
    }

    static int auditRows(String where) throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_log WHERE " + where)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aRedeliveredAuditRecordIsStoredOnce() throws Exception {
        AuditRecord record = audit("audit-dup-1", Instant.now());
        try (AuditLogSink sink = new AuditLogSink(database, Duration.ofDays(365), Clock.systemUTC())) {
            sink.start(kafka.clientProps(), producer, Duration.ofHours(1));
            producer.send(Topics.AUDIT, record.subjectId(), record, record.subjectId());
            producer.send(Topics.AUDIT, record.subjectId(), record, record.subjectId()); // redelivery
            AuditRecord other = audit("audit-dup-2", Instant.now());
            producer.send(Topics.AUDIT, other.subjectId(), other, other.subjectId());
            producer.flush();
            await().atMost(WITHIN).until(() -> auditRows("id = 'audit-dup-2'") == 1);
            assertThat(auditRows("id = 'audit-dup-1'")).isEqualTo(1);
            assertThat(sink.write(record)).isFalse();
        }
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT verdict, record->>'hash' FROM audit_log WHERE id = 'audit-dup-1'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ALLOW");
            assertThat(rs.getString(2)).isEqualTo("h-audit-dup-1");
        }
    }

    @Test
    void theProjectorCapturesAndSinksAnExistingPostgresNamedByUrl() throws Exception {
        HydraConfig config = HydraConfig.of("memory: {archival: false}",
                Map.of("HYDRA_POSTGRES_URL", database.jdbcUrl()));
        try (MemoryProjector projector = new MemoryProjector(config, kafka.clientProps(), dataDir.resolve("projector"),
                TestSigning.verifier(), TestSigning.writerVerifier());
             KafkaConsumer<String, byte[]> services = kafka.consumer(Topics.CDC_SERVICES.name())) {
            projector.start();
            assertThat(projector.postgresUrl()).contains(database.jdbcUrl());
            sql("INSERT INTO services (name, status) VALUES ('qdrant', 'up')");
            readUntil(services, new ArrayList<>(), events -> has(events, "c", "name", "qdrant")
                    || has(events, "r", "name", "qdrant"));
            AuditRecord record = audit("audit-projector-1", Instant.now());
            producer.send(Topics.AUDIT, record.subjectId(), record, record.subjectId()).get();
            await().atMost(WITHIN).until(() -> auditRows("id = 'audit-projector-1'") == 1);
            assertThat(projector.healthy()).isTrue();
        }
    }

    @Test
    void retentionDeletesAuditRowsOlderThan365Days() throws Exception {
        Instant now = Instant.parse("2026-11-24T05:00:00Z");
        try (AuditLogSink sink = new AuditLogSink(database, Duration.ofDays(365),
                Clock.fixed(now, ZoneOffset.UTC))) {
            assertThat(sink.write(audit("old-1", now.minus(Duration.ofDays(366))))).isTrue();
            assertThat(sink.write(audit("recent-1", now.minus(Duration.ofDays(364))))).isTrue();
            assertThat(sink.deleteExpired()).isGreaterThanOrEqualTo(1);
        }
        assertThat(auditRows("id = 'old-1'")).isZero();
        assertThat(auditRows("id = 'recent-1'")).isOne();
    }
}
