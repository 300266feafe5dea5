package dev.hydra.memory;

import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.GroupLoop;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.DataSettings;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.events.StateSnapshot;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.memory.CoreBlock;
import dev.hydra.topics.signing.UnverifiedRecordException;
import dev.hydra.topics.signing.VerdictVerifier;
import dev.hydra.topics.signing.WriterVerifier;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory projector: projects what crews produce into memory. Task results become entries of
 * the crews' shared core-memory blocks and passages of archival memory; the retained topics are
 * recall memory; agents' memory tool calls are run ({@link MemoryTools}); the backlog tables are streamed into {@code hydra.cdc.<table>} and the audit trail
 * is kept in Postgres.
 */
public final class MemoryProjector implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryProjector.class);
    static final String GROUP = "hydra-memory-projector";

    private final HydraConfig config;
    private final Properties clientProps;
    private final Path dataDir;
    private final VerdictVerifier verifier;
    private final WriterVerifier writers;
    private final List<AutoCloseable> running = new ArrayList<>();
    private EventProducer producer;
    private CoreMemory coreMemory;
    private Optional<ArchivalMemory> archival = Optional.empty();
    private GroupLoop results;
    private BacklogDatabase database;
    private ChangeCapture changeCapture;
    private AuditLogSink auditSink;
    private MemoryApi api;
    private MemoryTools tools;
    private Vertx vertx;
    private volatile boolean started;

    /**
     * @param verifier the constitution's public keys: a memory tool call runs only with a valid
     *                 signature from one, and acts as the crew it names (the filter judged it only
     *                 after that crew's own signature verified)
     * @param writers  every writer's public keys: a task result reaches memory only when signed by the
     *                 crew it names (or by the router, for the FAILED result of a task it gave up on)
     */
    public MemoryProjector(HydraConfig config, Properties kafkaClientProps, Path dataDir, VerdictVerifier verifier,
                           WriterVerifier writers) {
        this.writers = Objects.requireNonNull(writers, "writers");
        this.config = Objects.requireNonNull(config, "config");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clientProps = Objects.requireNonNull(kafkaClientProps, "kafkaClientProps");
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    public static void main(String[] args) throws Exception {
        HydraConfig config = HydraConfig.load(Path.of(System.getProperty("hydra.config", "config/hydra.yaml")),
                System.getenv());
        MemoryProjector projector = new MemoryProjector(config,
                KafkaSettings.client(config, Principal.MEMORY),
                config.baseDirectory().resolve(config.get(MemorySettings.DATA_DIR)),
                SigningSettings.verifier(config, DataSettings.dataDir(config)),
                SigningSettings.writerVerifier(config, DataSettings.dataDir(config)));
        projector.serve(config.get(MemorySettings.PORT));
        Runtime.getRuntime().addShutdownHook(new Thread(projector::close, "memory-projector-shutdown"));
    }

    @Override
    public String name() {
        return "memory-projector";
    }

    @Override
    public synchronized void start() throws Exception {
        if (started) {
            return;
        }
        try {
            producer = keep(new EventProducer(clientProps, "hydra-memory-projector"));
            if (config.get(MemorySettings.ARCHIVAL)) {
                archival = Optional.of(keep(openArchival()));
            }
            coreMemory = keep(new CoreMemory(clientProps, producer, this::archiveEvicted, Clock.systemUTC()));
            coreMemory.start(Duration.ofSeconds(60));
            api = new MemoryApi(coreMemory, archival, new RecallMemory(clientProps, writers));
            tools = keep(new MemoryTools(coreMemory, archival, producer, verifier, Clock.systemUTC()));
            tools.start(clientProps);
            results = keep(GroupLoop.group(GROUP).topics(Topics.TASK_RESULTS, Topics.STATE_SNAPSHOTS)
                    .named("memory-results").deadLetters(producer, "memory-projector/results")
                    .afterBatch(producer::flush).start(clientProps, this::onRecord));
            if (config.get(MemorySettings.CHANGE_CAPTURE)) {
                startPostgresSide();
            }
            started = true;
            LOG.info("memory projector started (archival: {})",
                    archival.map(a -> a.getClass().getSimpleName() + ", " + a.size() + " passages").orElse("off"));
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** The hydra database: its backlog tables streamed to hydra.cdc.*, and hydra.audit kept in audit_log. */
    private void startPostgresSide() {
        String url = config.get(MemorySettings.POSTGRES_URL);
        database = keep(url.isEmpty()
                ? BacklogDatabase.embedded(dataDir.resolve("postgres"), config.get(MemorySettings.POSTGRES_PORT))
                : BacklogDatabase.external(url, config.get(MemorySettings.POSTGRES_USER),
                        config.get(MemorySettings.POSTGRES_PASSWORD)));
        changeCapture = keep(new ChangeCapture(database.endpoint(), dataDir.resolve("cdc"), producer));
        changeCapture.start();
        auditSink = keep(new AuditLogSink(database, config.get(MemorySettings.AUDIT_RETENTION), Clock.systemUTC()));
        auditSink.start(clientProps, producer, config.get(MemorySettings.RETENTION_INTERVAL));
    }

    /** The JDBC URL of the hydra database, when change capture is on (for the lead's CLI and console). */
    public Optional<String> postgresUrl() {
        return Optional.ofNullable(database).map(BacklogDatabase::jdbcUrl);
    }

    private ArchivalMemory openArchival() {
        String qdrant = config.get(MemorySettings.QDRANT_URL);
        if (qdrant.isEmpty()) {
            return DiskArchive.open(dataDir.resolve("archival"));
        }
        return QdrantArchive.connect(qdrant, config.get(MemorySettings.QDRANT_API_KEY),
                config.get(MemorySettings.QDRANT_COLLECTION));
    }

    private <T extends AutoCloseable> T keep(T resource) {
        running.add(resource);
        return resource;
    }

    /** Mounts the HTTP API (blocks, search, history) under {@code /api/memory}. Call after {@link #start()}. */
    public void routes(Router router) {
        if (api == null) {
            throw new IllegalStateException("start the memory projector before mounting its routes");
        }
        api.mount(router);
    }

    /** Standalone: starts the service and its own HTTP server ({@code /health} and the API); returns the port. */
    public int serve(int port) throws Exception {
        start();
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> ctx.response().setStatusCode(healthy() ? 200 : 503)
                .putHeader("content-type", "application/json")
                .end("{\"service\":\"" + name() + "\",\"healthy\":" + healthy() + "}"));
        routes(router);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.info("memory projector listening on http://127.0.0.1:{}/api/memory/blocks", server.actualPort());
        return server.actualPort();
    }

    private void onRecord(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        if (record.topic().equals(Topics.STATE_SNAPSHOTS.name())) {
            onSnapshot(Topics.STATE_SNAPSHOTS.valueSerde().deserialize(record.topic(), record.value()));
        } else {
            TaskResult result = Topics.TASK_RESULTS.valueSerde().deserialize(record.topic(), record.value());
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            Optional<String> refusal = writers.refusal(record.topic(), key, record.headers(), result);
            if (refusal.isPresent()) {
                // Any crew's principal may write hydra.tasks.results: a result naming another crew would
                // land in that crew's block (and an `evaluate` line in research_findings would become work).
                String reason = "result of task " + result.taskId() + " not projected into memory: " + refusal.get();
                LOG.warn("{}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
                producer.sendRaw(DeadLetters.of(record, new UnverifiedRecordException(reason), "memory-projector/results"));
                return;
            }
            onResult(result);
        }
    }

    /** The state assessor plays the seed's orchestrator: its latest assessment is the hydra_state block. */
    private void onSnapshot(StateSnapshot snapshot) {
        coreMemory.write(CoreBlock.ORCHESTRATOR, CoreBlock.HYDRA_STATE.blockName(), StateEntries.of(snapshot), null);
    }

    private void onResult(TaskResult result) {
        ResultEntries.of(result).ifPresent(update -> coreMemory.write(update.writer(), update.block().blockName(),
                update.entries(), result.taskId()));
        archival.ifPresent(store -> {
            if (!result.summary().isBlank()) {
                archive(store, new ArchivalMemory.Passage("result:" + result.taskId(),
                        result.crew().wireName() + " " + (result.action().isEmpty() ? "task" : result.action()) + " "
                                + result.outcome().name().toLowerCase() + ": " + result.summary(),
                        result.taskId(), result.crew().wireName(), "result", result.at()));
            }
        });
    }

    private void archiveEvicted(String block, List<BlockContent.Entry> evicted, MemoryBlock from) {
        archival.ifPresent(store -> {
            for (BlockContent.Entry entry : evicted) {
                archive(store, new ArchivalMemory.Passage(
                        "block:" + block + ":" + CoreMemory.sha256(entry.key() + "\u001f" + entry.text()),
                        block + " / " + entry.key() + ": " + entry.text(), "", from.writer(), "block_entry",
                        from.updatedAt()));
            }
        });
    }

    private static void archive(ArchivalMemory store, ArchivalMemory.Passage passage) {
        long start = System.nanoTime();
        store.add(passage);
        MemoryMetrics.EMBED_SECONDS.observe((System.nanoTime() - start) / 1e9);
        MemoryMetrics.ARCHIVED.labels(passage.kind()).inc();
    }

    /** The current blocks, for the lead's console and the CLI. */
    public Map<String, MemoryBlock> blocks() {
        return coreMemory == null ? Map.of() : coreMemory.all();
    }

    @Override
    public List<String> consumerGroups() {
        return auditSink == null ? List.of(GROUP, MemoryTools.GROUP) : List.of(GROUP, MemoryTools.GROUP, AuditLogSink.GROUP);
    }

    @Override
    public boolean healthy() {
        return started && coreMemory.healthy() && results.healthy() && tools.healthy()
                && (changeCapture == null || changeCapture.healthy()) && (auditSink == null || auditSink.healthy());
    }

    @Override
    public synchronized void close() {
        started = false;
        if (vertx != null) {
            vertx.close();
            vertx = null;
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {}", running.get(i), e);
            }
        }
        running.clear();
    }
}
