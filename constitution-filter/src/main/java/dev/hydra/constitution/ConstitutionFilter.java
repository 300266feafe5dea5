package dev.hydra.constitution;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.topics.Service;
import dev.hydra.topics.StreamThreadFailures;
import dev.hydra.topics.StreamsConfigs;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.config.SandboxSettings;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.tools.McpServerConfig;
import dev.hydra.topics.tools.ToolVocabulary;
import dev.hydra.topics.signing.VerdictSigner;
import dev.hydra.topics.signing.WriterVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The constitution filter service: loads the constitution (a bad one refuses to start) and runs
 * {@link ConstitutionTopology} as an exactly-once Streams application.
 */
public final class ConstitutionFilter implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(ConstitutionFilter.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_WEBHOOK_BACKOFF = Duration.ofSeconds(1);

    private final HydraConfig config;
    private final Properties kafkaClientProps;
    private final Path stateDir;
    private final Faults faults;
    private final VerdictSigner signer;
    private final WriterVerifier writers;
    private KafkaStreams streams;
    private ApprovalNotifier notifier = ApprovalNotifier.NONE;
    private Constitution constitution;

    /**
     * @param signer  the constitution's private key, which signs every ALLOW and approved release
     * @param writers every writer's public keys: a requested tool call is judged only when signed by the
     *                crew it names (or by the operator)
     */
    public ConstitutionFilter(HydraConfig config, Properties kafkaClientProps, Path stateDir, VerdictSigner signer,
                              WriterVerifier writers) {
        this(config, kafkaClientProps, stateDir, signer, writers, Faults.NONE);
    }

    ConstitutionFilter(HydraConfig config, Properties kafkaClientProps, Path stateDir, VerdictSigner signer,
                       WriterVerifier writers, Faults faults) {
        this.writers = java.util.Objects.requireNonNull(writers, "writers");
        this.config = config;
        this.signer = signer;
        this.kafkaClientProps = kafkaClientProps;
        this.stateDir = stateDir;
        this.faults = faults;
    }

    public static void main(String[] args) throws Exception {
        HydraConfig config = HydraConfig.load(Path.of(System.getenv().getOrDefault("HYDRA_CONFIG",
                "config/hydra.yaml")), System.getenv());
        Path dataDir = Path.of(config.get(FilterSettings.DATA_DIR));
        ConstitutionFilter filter = new ConstitutionFilter(config,
                KafkaSettings.client(config, Principal.CONSTITUTION), dataDir.resolve("state"),
                FilterSettings.signer(config, dataDir), SigningSettings.writerVerifier(config, dataDir));
        filter.start();
        Runtime.getRuntime().addShutdownHook(new Thread(filter::close, "constitution-filter-shutdown"));
    }

    @Override
    public String name() {
        return "constitution-filter";
    }

    @Override
    public synchronized void start() {
        if (streams != null) {
            throw new IllegalStateException(name() + " is already started");
        }
        Path file = FilterSettings.constitutionFile(config);
        // the sandbox mode decides whether shell calls can be autonomous (crews.sandbox: none parks them all)
        constitution = Constitution.load(file).withSandbox(config.get(SandboxSettings.SANDBOX))
                .withTools(ToolVocabulary.standard().withServers(McpServerConfig.from(config)));
        ApprovalPolicy policy = new ApprovalPolicy(constitution.approvalTimeout(),
                config.get(FilterSettings.EXPIRY_SCAN_INTERVAL));
        notifier = config.get(FilterSettings.APPROVAL_WEBHOOK)
                .<ApprovalNotifier>map(uri -> new WebhookNotifier(uri,
                        config.get(FilterSettings.APPROVAL_WEBHOOK_ATTEMPTS), FIRST_WEBHOOK_BACKOFF))
                .orElse(ApprovalNotifier.NONE);
        Topology topology = ConstitutionTopology.build(constitution, policy, notifier, signer, writers, faults);
        LOG.info("constitution {} (sha256 {}), approvals time out after {}, approvers {}, signing key {}", file,
                constitution.sha256(), policy.timeout(), constitution.approvers(), signer.keyId());
        streams = new KafkaStreams(topology, streamsProps());
        // A processing error here is a bug, not bad input (that goes to the DLQ): stop and show
        // unhealthy rather than loop on the same record. A transaction the broker refused after its
        // restart is not: a new thread carries on from the last commit.
        streams.setUncaughtExceptionHandler(StreamThreadFailures.of(name()));
        streams.start();
    }

    Properties streamsProps() {
        Properties props = new Properties();
        // Client settings from the caller (security, etc.) first; the base config decides the rest.
        props.putAll(kafkaClientProps);
        props.putAll(StreamsConfigs.base(FilterSettings.APPLICATION_ID,
                kafkaClientProps.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG), stateDir,
                config.get(KafkaSettings.REPLICATION_FACTOR)));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.get(FilterSettings.COMMIT_INTERVAL).toMillis());
        return props;
    }

    /** The loaded constitution, once started. */
    public synchronized Constitution constitution() {
        return constitution;
    }

    @Override
    public List<String> consumerGroups() {
        return List.of(FilterSettings.APPLICATION_ID);
    }

    @Override
    public Optional<String> streamsState() {
        return Optional.of(state().name());
    }

    public synchronized KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.CREATED : streams.state();
    }

    @Override
    public synchronized boolean healthy() {
        return streams != null && (streams.state() == KafkaStreams.State.RUNNING
                || streams.state() == KafkaStreams.State.REBALANCING);
    }

    @Override
    public synchronized void close() {
        if (streams != null) {
            // Leave the group: without static membership a restarted instance joins under a new
            // member id, and the partitions would otherwise wait a session timeout for the old one.
            if (!streams.close(new KafkaStreams.CloseOptions().timeout(CLOSE_TIMEOUT).leaveGroup(true))) {
                LOG.warn("constitution filter did not stop within {}", CLOSE_TIMEOUT);
            }
        }
        notifier.close();
    }
}
