package dev.hydra.assessor;

import dev.hydra.assessor.SourceFeed.AssessorSources;
import dev.hydra.assessor.rules.Gap;
import dev.hydra.assessor.rules.GapEpisodes;
import dev.hydra.assessor.rules.GapRules;
import dev.hydra.assessor.rules.LearningRules;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.PauseSwitch;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.DataSettings;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.events.IterationReport;
import dev.hydra.topics.events.ServiceHealth;
import dev.hydra.topics.events.StateSnapshot;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.memory.Technology;
import dev.hydra.topics.signing.WriterVerifier;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's "assess current state" and "identify gaps and opportunities" steps as a service: it
 * probes the configured services, runs the named Prometheus queries, reads the features and
 * knowledge-gap backlog and the research findings from Kafka, publishes a {@link StateSnapshot} to
 * hydra.state.snapshots and proposes what {@link GapRules} finds to hydra.tasks.proposed. It
 * assesses on start, every interval, and shortly after a source changes.
 */
public final class StateAssessor implements Service {
    private static final Logger log = LoggerFactory.getLogger(StateAssessor.class);

    private final Properties kafkaClientProps;
    private final boolean ownsVertx;
    private volatile Vertx vertx;
    private final Duration interval;
    private final Duration debounce;
    private final Duration probeTimeout;
    private final int probeAttempts;
    private final List<ServiceTarget> targets;
    private final GapRules rules;
    private final GapEpisodes episodes = new GapEpisodes();
    private final Backlog backlog;
    private final AssessorSources sources;
    private final String prometheusUrl;
    private final Map<String, String> prometheusQueries;

    private EventProducer producer;
    private WebClient web;
    private Probes probes;
    private PrometheusQueries prometheus;
    private SourceFeed feed;
    private IterationFeed iterations;
    private NodeLatencies nodeLatencies;
    private final boolean learning;
    private final LearningRules learningRules;
    private Debouncer sourceChanges;
    private final AssessorSettings.Mode mode;
    private long periodicTimer = -1;
    private Future<StateSnapshot> lastAssessment = Future.succeededFuture();
    private volatile boolean running;
    /** {@code hydra pause}: while it answers true, assessments go on (snapshots) but nothing is proposed. */
    private volatile BooleanSupplier paused = () -> false;
    /** Whose results the iteration reports count: read from the configured writer keys at start, unless given. */
    private final java.util.function.Supplier<WriterVerifier> configuredWriters;
    private WriterVerifier writers;
    /** Written only by publish, which runs one assessment at a time. */
    private Set<String> gaugedServices = Set.of();

    /** Proposes nothing while {@code pause} says the stack is paused; snapshots are still published. */
    public StateAssessor pausedBy(PauseSwitch pause) {
        this.paused = pause::paused;
        return this;
    }

    /**
     * Counts a result in the iteration reports only when its writer signature verifies with these keys
     * (the stack passes the verifier its other services use); without, the configured keys are read at start.
     */
    public StateAssessor trustingWriters(WriterVerifier writers) {
        this.writers = java.util.Objects.requireNonNull(writers, "writers");
        return this;
    }

    public StateAssessor(HydraConfig config, Properties kafkaClientProps) {
        this(config, kafkaClientProps, null);
    }

    /** With the caller's Vert.x instance (the all-in-one stack shares one); null means its own. */
    public StateAssessor(HydraConfig config, Properties kafkaClientProps, Vertx vertx) {
        this.kafkaClientProps = kafkaClientProps;
        this.ownsVertx = vertx == null;
        this.vertx = vertx;
        this.interval = config.get(AssessorSettings.INTERVAL);
        this.mode = config.get(AssessorSettings.MODE);
        this.debounce = config.get(AssessorSettings.DEBOUNCE);
        this.probeTimeout = config.get(AssessorSettings.PROBE_TIMEOUT);
        this.probeAttempts = config.get(AssessorSettings.PROBE_ATTEMPTS);
        this.targets = ServiceTarget.fromConfig(config);
        this.rules = new GapRules(new GapRules.Thresholds(config.get(AssessorSettings.INFERENCE_LATENCY_P95_MAX_MS),
                config.get(AssessorSettings.INFERENCE_LATENCY_P95_TARGET_MS)));
        this.backlog = new Backlog(new Backlog.Columns(config.get(AssessorSettings.FEATURE_NAME_COLUMN),
                config.get(AssessorSettings.FEATURE_STATUS_COLUMN), config.get(AssessorSettings.FEATURE_DONE_STATUSES),
                config.get(AssessorSettings.GAP_TOPIC_COLUMN), config.get(AssessorSettings.GAP_RESOLVED_COLUMN),
                config.get(AssessorSettings.REGISTRY_NAME_COLUMN), config.get(AssessorSettings.REGISTRY_HEALTH_COLUMN)));
        this.sources = new AssessorSources(config.get(AssessorSettings.FEATURES),
                config.get(AssessorSettings.KNOWLEDGE_GAPS), config.get(AssessorSettings.SERVICE_REGISTRY),
                config.get(AssessorSettings.RESEARCH_FINDINGS),
                config.get(AssessorSettings.RESEARCH_FINDINGS_BLOCK));
        this.learning = config.get(AssessorSettings.LEARNING);
        this.learningRules = new LearningRules(new LearningRules.Thresholds(config.get(AssessorSettings.LEARNING_MIN_TASKS),
                config.get(AssessorSettings.LEARNING_MAX_ERROR_RATE), config.get(AssessorSettings.LEARNING_REPEATED_FAILURES),
                config.get(AssessorSettings.LEARNING_DURATION_INCREASE)));
        this.prometheusUrl = config.get(AssessorSettings.PROMETHEUS_URL);
        this.prometheusQueries = PrometheusQueries.fromConfig(config);
        this.configuredWriters = () -> SigningSettings.writerVerifier(config, DataSettings.dataDir(config));
    }

    public static void main(String[] args) {
        HydraConfig config = HydraConfig.load(Path.of(System.getenv().getOrDefault("HYDRA_CONFIG",
                "config/hydra.yaml")), System.getenv());
        StateAssessor assessor = new StateAssessor(config, KafkaSettings.client(config, Principal.ASSESSOR));
        try {
            assessor.start();
        } catch (Exception e) {
            log.error("state assessor could not start", e);
            assessor.close();
            System.exit(1);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(assessor::close, "hydra-assessor-shutdown"));
    }

    @Override
    public String name() {
        return "state-assessor";
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        if (ownsVertx) {
            // Created here rather than in the constructor, so a bad configuration leaks no threads.
            vertx = Vertx.vertx();
        }
        producer = new EventProducer(kafkaClientProps, "hydra-state-assessor");
        web = WebClient.create(vertx, new WebClientOptions().setUserAgent("hydra-state-assessor")
                .setConnectTimeout((int) probeTimeout.toMillis()));
        probes = new Probes(vertx, web, probeTimeout, probeAttempts);
        prometheus = new PrometheusQueries(web, prometheusUrl, prometheusQueries, probeTimeout);
        if (sources.any()) {
            sourceChanges = new Debouncer(vertx, debounce, () -> assess("source change"));
            // on request, the feed still keeps the backlog current; only the triggers are left to the caller
            feed = new SourceFeed(kafkaClientProps, backlog, sources,
                    mode == AssessorSettings.Mode.AUTONOMOUS ? sourceChanges::trigger : () -> { });
            feed.start();
        }
        nodeLatencies = new NodeLatencies(kafkaClientProps);
        if (learning) {
            if (writers == null) {
                writers = configuredWriters.get();
            }
            iterations = new IterationFeed(kafkaClientProps, Instant.now(), episodes::ended, writers);
            try {
                if (!iterations.awaitCaughtUp(Duration.ofSeconds(30))) {
                    log.warn("{} not read within 30 s: the first iteration report may count fewer approvals waiting",
                            Topics.APPROVAL_REQUESTS.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the iteration sources", e);
            }
        }
        running = true;
        if (mode == AssessorSettings.Mode.AUTONOMOUS) {
            // Now, then every interval (the seed's loop). The first is chained before start returns, so an
            // assessment asked for afterwards always comes after it.
            assess("start");
            periodicTimer = vertx.setPeriodic(interval.toMillis(), interval.toMillis(), id -> assess("schedule"));
        }
        log.info("state assessor started: {} services {}, metrics {}, {}", targets.size(),
                targets.stream().map(ServiceTarget::name).toList(), prometheus.enabled()
                        ? prometheusQueries.keySet() : "off",
                mode == AssessorSettings.Mode.AUTONOMOUS ? "every " + interval : "on request only");
    }

    @Override
    public boolean healthy() {
        return running && (feed == null || feed.healthy()) && (iterations == null || iterations.healthy())
                && nodeLatencies.healthy();
    }

    /** Runs one assessment now; completes once the snapshot and its tasks are acknowledged by Kafka. */
    public CompletionStage<StateSnapshot> assessNow() {
        return assess("request").toCompletionStage();
    }

    /** Assessments run one after another, so two triggers never publish interleaved snapshots. */
    private synchronized Future<StateSnapshot> assess(String trigger) {
        if (!running) {
            return Future.failedFuture(new IllegalStateException("state assessor is not running"));
        }
        lastAssessment = lastAssessment.transform(previous -> runAssessment(trigger));
        return lastAssessment;
    }

    private Future<StateSnapshot> runAssessment(String trigger) {
        List<Future<ServiceHealth>> probed = targets().stream().map(probes::probe).toList();
        Future<Map<String, Double>> metrics = prometheus.measure();
        List<Future<?>> all = new ArrayList<>(probed);
        all.add(metrics);
        return Future.all(all).compose(done -> {
            List<ServiceHealth> health = probed.stream().map(Future::result).toList();
            List<String> features = backlog.incompleteFeatures();
            List<String> knowledgeGaps = backlog.knowledgeGaps();
            List<Technology> technologies = backlog.technologies();
            Map<String, Double> measured = withNodeLatency(metrics.result());
            StateSnapshot snapshot = new StateSnapshot(null, Instant.now(), health, measured, features,
                    knowledgeGaps, summary(health, measured, features, knowledgeGaps, technologies));
            List<Gap> found = new ArrayList<>(rules.identify(snapshot, technologies));
            Optional<IterationReport> report = Optional.ofNullable(iterations)
                    .map(feed -> feed.log().close(snapshot.at(), feed.approvalsWaiting()));
            report.ifPresent(r -> found.addAll(learningRules.identify(r)));
            List<Gap> gaps = episodes.assign(GapRules.prioritize(found), snapshot.at());
            return vertx.executeBlocking(() -> publish(snapshot, report, gaps), false);
        }).onSuccess(snapshot -> log.info("assessment ({}): {}", trigger, snapshot.summary()))
                .onFailure(e -> log.error("assessment ({}) failed", trigger, e));
    }

    /**
     * The measured metrics, with the crew nodes' own model-call p95 as {@code inference_latency_p95}
     * when no Prometheus query gave it: the slow-inference rule then needs no Prometheus server.
     */
    private Map<String, Double> withNodeLatency(Map<String, Double> measured) {
        if (measured.containsKey(GapRules.INFERENCE_LATENCY_P95)) {
            return measured;
        }
        return nodeLatencies.p95Ms(Instant.now()).map(p95 -> {
            Map<String, Double> all = new java.util.LinkedHashMap<>(measured);
            all.put(GapRules.INFERENCE_LATENCY_P95, p95);
            return all;
        }).orElse(measured);
    }

    /** hydra.yaml's services, then those registered in Postgres under another name. */
    private List<ServiceTarget> targets() {
        Set<String> configured = targets.stream().map(ServiceTarget::name).collect(Collectors.toSet());
        List<ServiceTarget> all = new ArrayList<>(targets);
        backlog.registeredServices().stream().filter(t -> !configured.contains(t.name())).forEach(all::add);
        return all;
    }

    /** Blocking: waits for the broker's acknowledgements so a caller knows the tasks are on the topic. */
    private StateSnapshot publish(StateSnapshot snapshot, Optional<IterationReport> report, List<Gap> gaps)
            throws Exception {
        List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
        acks.add(producer.send(Topics.STATE_SNAPSHOTS, snapshot.id(), snapshot, snapshot.id()));
        report.ifPresent(r -> {
            acks.add(producer.send(Topics.ITERATIONS, r.id(), r, r.id()));
            AssessorMetrics.observe(r);
        });
        if (paused.getAsBoolean() && !gaps.isEmpty()) {
            log.info("PAUSED: {} gap(s) found, none proposed (hydra resume)", gaps.size());
            gaps = List.of();
        }
        for (Gap gap : gaps) {
            Task task = gap.task();
            acks.add(producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id()));
        }
        for (java.util.concurrent.Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        AssessorMetrics.ASSESSMENTS.inc();
        snapshot.services().forEach(s -> AssessorMetrics.SERVICE_UP.labels(s.name()).set(s.healthy() ? 1 : 0));
        // A service removed from the registry must not stay "up" (or "down") on dashboards forever.
        Set<String> probedNow = snapshot.services().stream().map(ServiceHealth::name).collect(Collectors.toSet());
        gaugedServices.stream().filter(name -> !probedNow.contains(name)).forEach(AssessorMetrics.SERVICE_UP::remove);
        gaugedServices = probedNow;
        gaps.forEach(g -> AssessorMetrics.TASKS_PROPOSED.labels(g.rule().wireName()).inc());
        gaps.forEach(g -> log.info("proposed {} P{} {} ({})", g.task().id(), g.task().priority(),
                g.task().description(), g.rule().wireName()));
        return snapshot;
    }

    /** The seed's {@code state['summary']}: one line for logs and the hydra_state block. */
    private static String summary(List<ServiceHealth> services, Map<String, Double> metrics, List<String> features,
                                  List<String> knowledgeGaps, List<Technology> technologies) {
        List<String> failed = services.stream().filter(s -> !s.healthy()).map(ServiceHealth::name).toList();
        String measured = metrics.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
        return services.size() + " services" + (failed.isEmpty() ? " healthy" : ", failed: " + failed)
                + "; " + features.size() + " incomplete features; " + knowledgeGaps.size() + " knowledge gaps; "
                + technologies.size() + " technologies to evaluate" + (measured.isEmpty() ? "" : "; " + measured);
    }

    @Override
    public void close() {
        Future<StateSnapshot> inFlight;
        synchronized (this) {
            running = false;
            if (periodicTimer >= 0 && vertx != null) {
                vertx.cancelTimer(periodicTimer);
            }
            if (sourceChanges != null) {
                sourceChanges.cancel();
            }
            inFlight = lastAssessment;
        }
        // Let a running assessment publish before its producer goes (never blocking an event loop).
        if (!Context.isOnVertxThread()) {
            try {
                inFlight.toCompletionStage().toCompletableFuture()
                        .get(probeTimeout.toMillis() * probeAttempts + 30_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.debug("the last assessment did not finish before close", e);
            }
        }
        closeQuietly("source feed", feed);
        closeQuietly("iteration feed", iterations);
        closeQuietly("node latencies", nodeLatencies);
        closeQuietly("probes", probes);
        if (web != null) {
            web.close();
        }
        closeQuietly("producer", producer);
        if (ownsVertx && vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("Vert.x did not close cleanly", e);
            }
        }
    }

    private static void closeQuietly(String what, AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("closing the {} failed", what, e);
        }
    }
}
