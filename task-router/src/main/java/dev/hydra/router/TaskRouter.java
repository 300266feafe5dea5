package dev.hydra.router;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Service;
import dev.hydra.topics.StreamThreadFailures;
import dev.hydra.topics.StreamsConfigs;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.DataSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.signing.VerdictVerifier;
import dev.hydra.topics.signing.WriterSignature;
import dev.hydra.topics.signing.WriterSigner;
import dev.hydra.topics.signing.WriterVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task router service: runs {@link RouterTopology} (dedup, conflicts, priority lanes with aging,
 * node affinity, stuck-task retries) as an exactly-once Kafka Streams application.
 *
 * <p>The contract with crews (crew-consumers):
 * <ul>
 *   <li>A lane record {@code hydra.crew.<crew>.p<n>} is keyed by task id; header {@value #ATTEMPT_HEADER}
 *       is the attempt (absent means 1). Every status a crew writes carries that attempt.</li>
 *   <li>A crew writes CLAIMED when it starts, HEARTBEAT more often than {@code router.heartbeatTimeout}
 *       (default 2m: every minute is safe), and COMPLETED or FAILED at the end. FAILED is terminal: the
 *       router does not retry it (retry retriable errors inside the attempt). INTERRUPTED from a crew
 *       (e.g. shutting down mid-task) makes the router retry the task with the next attempt.</li>
 *   <li>The same task id can reach a crew more than once: aging re-publishes an unclaimed task one lane
 *       up, and retries re-publish it with a higher attempt. A crew skips a lane record when it has
 *       seen, on {@code hydra.tasks.status}, a CLAIMED or terminal status for that id with an attempt
 *       >= the record's, or has itself run that (id, attempt). Side effects carry the idempotency key
 *       (taskId, attempt, step) for the race in which two members take two copies at once.</li>
 *   <li>Statuses the router writes (node {@code task-router}): WAITING_FOR_NODE, HELD, INTERRUPTED
 *       (stuck), RETRIED (attempt n+1 published), FAILED (gave up; the task is on hydra.dlq).</li>
 *   <li>Nodes announce themselves on {@code hydra.crew.nodes} (key = node name, a NodeAnnouncement)
 *       more often than {@code router.nodeTimeout} (default 60s): a task that {@code requires}
 *       capabilities is published only while a live node of its crew has them all. A node leaves by
 *       going silent (or announcing no capabilities); do not write tombstones, they are dead-lettered.</li>
 * </ul>
 */
public final class TaskRouter implements Service {
    /** Header on lane records: the attempt a crew runs (1 when absent). Crews echo it in their statuses. */
    public static final String ATTEMPT_HEADER = EventHeaders.ATTEMPT;

    private static final Logger LOG = LoggerFactory.getLogger(TaskRouter.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final RouterSettings settings;
    private final VerdictVerifier verifier;
    private final Properties streamsProps;
    private KafkaStreams streams;
    private final WriterVerifier writers;
    private final WriterSigner signer;

    /**
     * @param verifier what an approved task's signature must pass before the router tracks it
     * @param writers  every writer's public keys: a status moves a task only when signed by the crew it
     *                 names or by the router
     * @param signer   the router's own key ({@link WriterSignature#ROUTER}), for its statuses and FAILED results
     */
    public TaskRouter(HydraConfig config, Properties kafkaClientProps, Path stateDir, VerdictVerifier verifier,
                      WriterVerifier writers, WriterSigner signer) {
        if (!signer.writer().equals(WriterSignature.ROUTER)) {
            throw new IllegalArgumentException("the router signs with its own key, not " + signer.writer() + "'s");
        }
        this.writers = writers;
        this.signer = signer;
        this.settings = RouterSettings.from(config);
        this.verifier = verifier;
        String bootstrap = kafkaClientProps.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                config.get(KafkaSettings.BOOTSTRAP));
        this.streamsProps = new Properties();
        streamsProps.putAll(kafkaClientProps); // e.g. security settings of the caller
        streamsProps.putAll(StreamsConfigs.base(settings.applicationId(), bootstrap, stateDir,
                config.get(KafkaSettings.REPLICATION_FACTOR)));
        streamsProps.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.get(RouterSettings.COMMIT_INTERVAL).toMillis());
    }

    public static void main(String[] args) throws Exception {
        HydraConfig config = HydraConfig.load(Path.of(System.getenv().getOrDefault("HYDRA_CONFIG", "config/hydra.yaml")),
                System.getenv());
        TaskRouter router = new TaskRouter(config, KafkaSettings.client(config, Principal.ROUTER),
                Path.of(config.get(RouterSettings.STATE_DIR)), SigningSettings.verifier(config, DataSettings.dataDir(config)),
                SigningSettings.writerVerifier(config, DataSettings.dataDir(config)),
                SigningSettings.writerSigner(config, DataSettings.dataDir(config), WriterSignature.ROUTER));
        Runtime.getRuntime().addShutdownHook(new Thread(router::close, "task-router-shutdown"));
        router.start();
    }

    @Override
    public String name() {
        return "task-router";
    }

    /** Starts the Streams application and waits until it runs (or fails to). */
    @Override
    public synchronized void start() throws InterruptedException {
        if (streams != null) {
            throw new IllegalStateException("task-router already started");
        }
        CountDownLatch settled = new CountDownLatch(1);
        streams = new KafkaStreams(RouterTopology.build(settings, verifier, writers, signer), streamsProps);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING || now == KafkaStreams.State.ERROR
                    || now == KafkaStreams.State.PENDING_ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                settled.countDown();
            }
        });
        // A broker restart can refuse the open transaction's commit: a new thread carries on from the last
        // commit. A bug shuts the router down (unhealthy) instead of looping.
        streams.setUncaughtExceptionHandler(StreamThreadFailures.of(name()));
        streams.start();
        if (!settled.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("task-router not running after {} (state {}); it keeps trying", START_TIMEOUT, streams.state());
            return;
        }
        if (streams.state() != KafkaStreams.State.RUNNING && streams.state() != KafkaStreams.State.REBALANCING) {
            throw new IllegalStateException("task-router could not start: state " + streams.state());
        }
        LOG.info("task-router running as {} (promote after {}, task timeout {}, {} attempts)",
                settings.applicationId(), settings.policy().promoteAfter(), settings.policy().taskTimeout(),
                settings.policy().retry().maxAttempts());
    }

    @Override
    public List<String> consumerGroups() {
        return List.of(settings.applicationId());
    }

    @Override
    public Optional<String> streamsState() {
        KafkaStreams running = streams;
        return Optional.of(running == null ? KafkaStreams.State.CREATED.name() : running.state().name());
    }

    @Override
    public boolean healthy() {
        KafkaStreams running = streams;
        return running != null && (running.state() == KafkaStreams.State.RUNNING
                || running.state() == KafkaStreams.State.REBALANCING);
    }

    @Override
    public synchronized void close() {
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
            streams = null;
        }
    }
}
