package dev.hydra.ops;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings.Replication;
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
        int brokerPort = port == 0 ? freePort() : port;
        // A fixed broker port gets the next port for its controller, so restarts see the same quorum.
        int controllerPort = port == 0 ? freePort() : port + 1;
        Node self = new Node(1, brokerPort, controllerPort);
        return start(host, self, List.of(self), dataDir, dataDir.resolve("credentials"), policy, Replication.SINGLE);
    }

    /** One node of a cluster: its id, client port and controller port. */
    public record Node(int id, int brokerPort, int controllerPort) {
        /** The quorum voter string {@code id@host:controllerPort}. */
        String voter(String host) {
            return id + "@" + host + ":" + controllerPort;
        }

        /**
         * Parses {@code --quorum} entries {@code id@host:brokerPort:controllerPort}, comma-separated.
         * The host is the same for every node here (127.0.0.1): the cluster is for one machine's tests.
         */
        static List<Node> parseAll(String quorum) {
            List<Node> nodes = new java.util.ArrayList<>();
            for (String entry : quorum.split(",")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)@[^:]+:(\\d+):(\\d+)").matcher(entry.trim());
                if (!m.matches()) {
                    throw new IllegalArgumentException("--quorum: '" + entry.trim()
                            + "' is not id@host:brokerPort:controllerPort (e.g. 1@127.0.0.1:9092:9093)");
                }
                nodes.add(new Node(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
            }
            return List.copyOf(nodes);
        }
    }

    /**
     * Starts node {@code self} of the KRaft cluster {@code quorum}: every node is broker and controller
     * in one process, so a three-node quorum keeps its majority when one node is lost. Every node of one
     * cluster must use the same {@code credentialsDir} (the broker's own PLAIN password is shared by
     * the nodes, and every node formats its storage with the same SCRAM users). A fresh cluster's nodes
     * have to start together: each waits for a quorum of controllers.
     */
    public static EmbeddedBroker start(String host, Node self, List<Node> quorum, Path dataDir, Path credentialsDir,
                                       Optional<AccessPolicy> policy, Replication replication) throws Exception {
        // The broker's internal topics (offsets, transactions, share state) follow the pair too.
        if (replication.factor() > quorum.size()) {
            throw new IllegalArgumentException("kafka.replicationFactor (" + replication.factor() + ") must be at most the "
                    + quorum.size() + " nodes of the cluster");
        }
        Path logDir = dataDir.resolve("kafka").toAbsolutePath();
        Files.createDirectories(logDir);
        int brokerPort = self.brokerPort();
        int controllerPort = self.controllerPort();
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(self.id()));
        props.put("controller.quorum.voters", String.join(",", quorum.stream().map(n -> n.voter(host)).toList()));
        props.put("listeners", CLIENT_LISTENER + "://" + host + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        props.put("advertised.listeners", CLIENT_LISTENER + "://" + host + ":" + brokerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", CLIENT_LISTENER);
        Optional<CredentialStore> credentials = policy.map(p -> CredentialStore.ensure(credentialsDir));
        if (credentials.isPresent()) {
            secure(props, credentials.get());
        } else {
            props.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        }
        props.put("log.dirs", logDir.toString());
        // Internal topics cannot have more replicas than brokers; with more, a write needs minInsync of them.
        String factor = Integer.toString(replication.factor());
        String minInsync = Integer.toString(replication.minInsync());
        props.put("offsets.topic.replication.factor", factor);
        props.put("offsets.topic.num.partitions", "6");
        props.put("transaction.state.log.replication.factor", factor);
        props.put("transaction.state.log.min.isr", minInsync);
        props.put("transaction.state.log.num.partitions", "6");
        props.put("share.coordinator.state.topic.replication.factor", factor);
        props.put("share.coordinator.state.topic.min.isr", minInsync);
        // The default of every topic that sets none: the consumer offsets, Streams' internal topics.
        props.put("min.insync.replicas", minInsync);
        props.put("default.replication.factor", factor);
        if (quorum.size() > 1) {
            // A node that died is fenced, and its partitions get new leaders, 5 s after its last heartbeat instead
            // of 9: clients that wait for a lost leader give up after 10 s (a crew worker's status read, for one).
            props.put("broker.heartbeat.interval.ms", "1000");
            props.put("broker.session.timeout.ms", "5000");
        }
        // A replica that comes back must not become leader with records missing: never elect an out-of-sync one.
        props.put("unclean.leader.election.enable", "false");
        // Consumers of a freshly started stack should not wait 3 s for the first rebalance.
        props.put("group.initial.rebalance.delay.ms", "0");
        // Hostile 10 MB values must reach the dead-letter handling, not be refused at the door.
        props.put("message.max.bytes", Integer.toString(16 * 1024 * 1024));
        // ... and be replicated: followers fetch them whole.
        props.put("replica.fetch.max.bytes", Integer.toString(16 * 1024 * 1024));
        props.put("auto.create.topics.enable", "false");
        KafkaConfig config = KafkaConfig.fromProps(props, false);

        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(self.id())
                .setClusterId(existingClusterId(logDir).orElseGet(() -> clusterId(credentialsDir)))
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
        LOG.info("embedded Kafka node {} of {} on {} (data in {}, {}, replication factor {}, min.insync.replicas {})",
                self.id(), quorum.size(), bootstrap, logDir, security, factor, minInsync);
        return broker;
    }

    /**
     * The nodes of one cluster format their storage apart, in their own JVMs, and must agree on the
     * cluster id: the first to come keeps it in the credentials directory they share, the others read it.
     */
    private static String clusterId(Path credentialsDir) {
        Path file = credentialsDir.resolve("cluster.id");
        try {
            Files.createDirectories(credentialsDir);
            try {
                Files.writeString(file, Uuid.randomUuid().toString(), java.nio.file.StandardOpenOption.CREATE_NEW);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another node came first
            }
            String id = Files.readString(file).trim();
            for (int i = 0; id.isEmpty() && i < 50; i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // written a moment ago, not yet flushed
                id = Files.readString(file).trim();
            }
            return id;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot keep the cluster id in " + file, e);
        }
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
