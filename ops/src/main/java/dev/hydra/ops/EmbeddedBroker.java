package dev.hydra.ops;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings.ScramLogin;
import dev.hydra.topics.config.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker (broker and controller in one process) for {@code hydra up}. Its log
 * directory lives under the data directory, so a restart keeps the topics and their data; the
 * storage is formatted only the first time.
 *
 * <p>Secured (the default): clients authenticate with SASL/SCRAM-SHA-512 as the principals of
 * {@link CredentialStore} (generated under {@code <data>/credentials}), Kafka's StandardAuthorizer
 * enforces the {@link AccessPolicy}, and nothing else is allowed. The broker's own links (controller,
 * inter-broker) use SASL/PLAIN with a user only the JAAS config knows, the one super user besides
 * the admin.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private static final String CLIENT_LISTENER = "CLIENT";
    private static final Duration SECURITY_READY = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final String bootstrap;
    private final Optional<CredentialStore> credentials;

    private EmbeddedBroker(KafkaRaftServer server, String bootstrap, Optional<CredentialStore> credentials) {
        this.server = server;
        this.bootstrap = bootstrap;
        this.credentials = credentials;
    }

    /** A secured broker (SASL/SCRAM and ACLs) on {@code host:port} with its data in {@code dataDir/kafka}. */
    public static EmbeddedBroker start(String host, int port, Path dataDir) throws Exception {
        return start(host, port, dataDir, Optional.of(AccessPolicy.of(HydraConfig.of("{}", Map.of()))));
    }

    /**
     * Starts a broker listening on {@code host:port} (0 picks a free port) with its data in
     * {@code dataDir/kafka}; with a policy it is secured by it, without one anyone may do anything
     * (what {@code hydra bench} compares against).
     */
    public static EmbeddedBroker start(String host, int port, Path dataDir, Optional<AccessPolicy> policy) throws Exception {
        Path logDir = dataDir.resolve("kafka").toAbsolutePath();
        Files.createDirectories(logDir);
        int brokerPort = port == 0 ? freePort() : port;
        // A fixed broker port gets the next port for its controller, so restarts see the same quorum.
        int controllerPort = port == 0 ? freePort() : port + 1;
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        props.put("listeners", CLIENT_LISTENER + "://" + host + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        props.put("advertised.listeners", CLIENT_LISTENER + "://" + host + ":" + brokerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", CLIENT_LISTENER);
        Optional<CredentialStore> credentials = policy.map(p -> CredentialStore.ensure(dataDir.resolve("credentials")));
        if (credentials.isPresent()) {
            secure(props, credentials.get());
        } else {
            props.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        }
        props.put("log.dirs", logDir.toString());
        // One broker: internal topics cannot have more replicas than brokers.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "6");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "6");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        // Consumers of a freshly started stack should not wait 3 s for the first rebalance.
        props.put("group.initial.rebalance.delay.ms", "0");
        // Hostile 10 MB values must reach the dead-letter handling, not be refused at the door.
        props.put("message.max.bytes", Integer.toString(16 * 1024 * 1024));
        props.put("auto.create.topics.enable", "false");
        KafkaConfig config = KafkaConfig.fromProps(props, false);

        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(existingClusterId(logDir).orElseGet(() -> Uuid.randomUuid().toString()))
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setIgnoreFormatted(true)
                // A fresh cluster starts with its users; one formatted before gets them below.
                .setScramArguments(credentials.map(c -> scramArguments(users(c, policy.get()))).orElse(List.of()))
                .run();

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        String bootstrap = host + ":" + brokerPort;
        EmbeddedBroker broker = new EmbeddedBroker(server, bootstrap, credentials);
        String security = "no authentication";
        try {
            if (credentials.isPresent()) {
                SecurityBootstrap.Applied applied = SecurityBootstrap.apply(credentials.get().brokerClient(bootstrap),
                        users(credentials.get(), policy.get()), policy.get().bindings(), SECURITY_READY);
                security = "SASL/SCRAM and ACLs (" + applied.usersCreated().size() + " users and " + applied.aclsCreated()
                        + " ACLs added now), credentials in " + credentials.get().dir();
            }
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
        LOG.info("embedded Kafka broker on {} (data in {}, {})", bootstrap, logDir, security);
        return broker;
    }

    /**
     * SASL_PLAINTEXT on both listeners: SCRAM for clients, PLAIN for the broker's own identity, which
     * JAAS alone defines, so it exists before any SCRAM user does.
     */
    private static void secure(Properties props, CredentialStore credentials) {
        props.put("listener.security.protocol.map", CLIENT_LISTENER + ":SASL_PLAINTEXT," + CONTROLLER_LISTENER + ":SASL_PLAINTEXT");
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + CredentialStore.BROKER
                + "\" password=\"" + credentials.brokerPassword() + "\" user_" + CredentialStore.BROKER + "=\""
                + credentials.brokerPassword() + "\";";
        String client = CLIENT_LISTENER.toLowerCase(Locale.ROOT);
        String controller = CONTROLLER_LISTENER.toLowerCase(Locale.ROOT);
        props.put("listener.name." + client + ".sasl.enabled.mechanisms", ScramLogin.MECHANISM + ",PLAIN");
        props.put("listener.name." + client + ".scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("listener.name." + client + ".plain.sasl.jaas.config", plain);
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.put("listener.name." + controller + ".sasl.enabled.mechanisms", "PLAIN");
        props.put("listener.name." + controller + ".plain.sasl.jaas.config", plain);
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("super.users", "User:" + CredentialStore.BROKER + ";" + Principal.ADMIN.kafkaPrincipal());
    }

    private static Map<Principal, String> users(CredentialStore credentials, AccessPolicy policy) {
        Map<Principal, String> users = new java.util.LinkedHashMap<>(credentials.passwords());
        users.keySet().retainAll(policy.principals());
        return users;
    }

    /** The storage formatter's {@code --add-scram} arguments: one SCRAM user each. */
    private static List<String> scramArguments(Map<Principal, String> users) {
        return users.entrySet().stream()
                .map(e -> ScramLogin.MECHANISM + "=[name=" + e.getKey().name() + ",password=" + e.getValue() + "]")
                .toList();
    }

    /** The generated credentials of a secured broker. */
    Optional<CredentialStore> credentials() {
        return credentials;
    }

    /** A formatted directory keeps its cluster id; formatting is skipped for it, but the id must match. */
    private static java.util.Optional<String> existingClusterId(Path logDir) throws IOException {
        Path meta = logDir.resolve("meta.properties");
        if (!Files.exists(meta)) {
            return java.util.Optional.empty();
        }
        Properties props = new Properties();
        try (var in = Files.newInputStream(meta)) {
            props.load(in);
        }
        return java.util.Optional.ofNullable(props.getProperty("cluster.id"));
    }

    public String bootstrap() {
        return bootstrap;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
