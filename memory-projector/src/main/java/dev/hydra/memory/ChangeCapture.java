package dev.hydra.memory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.CdcEvent;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.spi.OffsetCommitPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the backlog tables of the {@code hydra} database into {@code hydra.cdc.<table>} with an
 * embedded Debezium Postgres connector (pgoutput, no Kafka Connect). A change is acknowledged to
 * Debezium, and so its position committed to the offset file and the replication slot, only after
 * Kafka has it: a restart resumes where the last acknowledged batch ended, without gaps. After a
 * crash a batch may be sent twice; every event carries its LSN so that readers can drop repeats.
 */
public final class ChangeCapture implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeCapture.class);
    /** Replication slot and publication of Hydra's capture, in the captured database. */
    public static final String SLOT = "hydra_backlog";
    private static final long SEND_TIMEOUT_SECONDS = 60;

    private final Properties engineConfig;
    private final EventProducer producer;
    private final String slot;
    private ExecutorService executor;
    private DebeziumEngine<ChangeEvent<String, String>> engine;
    private volatile boolean running;
    private volatile Throwable failure;

    public ChangeCapture(BacklogDatabase.Endpoint database, Path offsetsDirectory, EventProducer producer) {
        this(database, offsetsDirectory, producer, SLOT);
    }

    /** A capture with its own replication slot and publication (tests run several against one database). */
    ChangeCapture(BacklogDatabase.Endpoint database, Path offsetsDirectory, EventProducer producer, String slot) {
        this.producer = producer;
        this.slot = slot;
        try {
            Files.createDirectories(offsetsDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + offsetsDirectory, e);
        }
        Properties props = new Properties();
        props.setProperty("name", "hydra-backlog-capture");
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        props.setProperty("offset.storage.file.filename", offsetsDirectory.resolve("offsets.dat").toString());
        props.setProperty("offset.flush.interval.ms", "0");
        props.setProperty("database.hostname", database.host());
        props.setProperty("database.port", Integer.toString(database.port()));
        props.setProperty("database.user", database.user());
        props.setProperty("database.password", database.password());
        props.setProperty("database.dbname", database.database());
        props.setProperty("topic.prefix", "hydra");
        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", slot);
        props.setProperty("publication.name", slot);
        // Only the captured tables are published (the audit_log is written by Hydra itself, not captured).
        props.setProperty("publication.autocreate.mode", "filtered");
        props.setProperty("table.include.list", String.join(",",
                BacklogDatabase.CAPTURED_TABLES.stream().map(t -> "public." + t).toList()));
        // Existing rows are read once (op r) on the first start, then changes stream.
        props.setProperty("snapshot.mode", "initial");
        props.setProperty("tombstones.on.delete", "false");
        props.setProperty("decimal.handling.mode", "string");
        props.setProperty("key.converter.schemas.enable", "false");
        props.setProperty("value.converter.schemas.enable", "false");
        // Retriable connection errors (database restarting) are retried by the engine with backoff.
        props.setProperty("errors.max.retries", "-1");
        props.setProperty("errors.retry.delay.initial.ms", "500");
        props.setProperty("errors.retry.delay.max.ms", "30000");
        this.engineConfig = props;
    }

    /** Starts the engine in its own thread; returns at once (the snapshot and streaming run in the background). */
    public synchronized void start() {
        if (running) {
            return;
        }
        failure = null;
        engine = DebeziumEngine.create(io.debezium.engine.format.Json.class)
                .using(engineConfig)
                .using(OffsetCommitPolicy.always())
                .using((success, message, error) -> {
                    running = false;
                    if (!success) {
                        failure = error;
                        LOG.error("change capture stopped: {}", message, error);
                    } else {
                        LOG.info("change capture stopped: {}", message);
                    }
                })
                .notifying(this::handleBatch)
                .build();
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "memory-change-capture");
            t.setDaemon(true);
            return t;
        });
        running = true;
        executor.execute(engine);
        LOG.info("change capture of {} started (slot {})", BacklogDatabase.CAPTURED_TABLES, slot);
    }

    private void handleBatch(List<ChangeEvent<String, String>> records,
                             DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        for (ChangeEvent<String, String> record : records) {
            Optional<CdcEvent> event;
            try {
                event = toEvent(record.key(), record.value());
            } catch (RuntimeException e) {
                // Terminal: the same bytes would fail again. Skipping keeps the capture running.
                LOG.error("skipping a change event that cannot be read: key {} value {}", record.key(), record.value(), e);
                event = Optional.empty();
            }
            event.ifPresent(e -> {
                sent.add(producer.send(Topics.cdc(e.table()), kafkaKey(e), e, null));
                MemoryMetrics.CDC_EVENTS.labels(e.table()).inc();
            });
        }
        producer.flush();
        for (Future<RecordMetadata> future : sent) {
            try {
                future.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // Not acknowledged: the engine stops, and the batch is read again from the slot on restart.
                throw new IllegalStateException("could not write change events to Kafka", e);
            }
        }
        for (ChangeEvent<String, String> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
    }

    /** The Kafka key of a change: the row's primary key as canonical (sorted) compact JSON, e.g. {@code {"id":7}}. */
    static String kafkaKey(CdcEvent event) {
        return Json.write(new TreeMap<>(event.key()));
    }

    /**
     * A Debezium change (JSON, schemas disabled) as a {@link CdcEvent}; empty for what is not a row
     * change (heartbeats, tombstones).
     */
    static Optional<CdcEvent> toEvent(String keyJson, String valueJson) {
        if (valueJson == null) {
            return Optional.empty();
        }
        JsonNode value = Json.parse(valueJson);
        JsonNode payload = value.has("payload") && value.has("schema") ? value.path("payload") : value;
        String op = payload.path("op").asText("");
        JsonNode source = payload.path("source");
        String table = source.path("table").asText("");
        if (op.isEmpty() || table.isEmpty()) {
            return Optional.empty();
        }
        if (!BacklogDatabase.CAPTURED_TABLES.contains(table)) {
            LOG.warn("ignoring a change of table {}, which is not captured", table);
            return Optional.empty();
        }
        JsonNode key = keyJson == null ? null : Json.parse(keyJson);
        if (key != null && key.has("payload") && key.has("schema")) {
            key = key.path("payload");
        }
        String position = "lsn=" + source.path("lsn").asText("") + " txId=" + source.path("txId").asText("")
                + " ts_ms=" + source.path("ts_ms").asText("")
                + ("true".equals(source.path("snapshot").asText("false")) ? " snapshot=true" : "");
        return Optional.of(new CdcEvent(table, op, map(key), map(payload.get("before")), map(payload.get("after")),
                position));
    }

    private static Map<String, Object> map(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return Json.MAPPER.convertValue(node, new TypeReference<Map<String, Object>>() { });
    }

    public boolean healthy() {
        return running && failure == null;
    }

    /** Stops the engine; what was acknowledged is committed, so the next start resumes from there. */
    @Override
    public synchronized void close() {
        if (engine == null) {
            return;
        }
        try {
            engine.close();
        } catch (IOException e) {
            LOG.warn("stopping change capture", e);
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("change capture did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engine = null;
        running = false;
    }
}
