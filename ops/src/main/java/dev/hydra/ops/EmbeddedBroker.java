package dev.hydra.ops;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final String bootstrap;

    private EmbeddedBroker(KafkaRaftServer server, String bootstrap) {
        this.server = server;
        this.bootstrap = bootstrap;
    }

    /**
     * Starts a broker listening on {@code host:port} (0 picks a free port) with its data in
     * {@code dataDir/kafka}.
     */
    public static EmbeddedBroker start(String host, int port, Path dataDir) throws Exception {
        Path logDir = dataDir.resolve("kafka").toAbsolutePath();
        Files.createDirectories(logDir);
        int brokerPort = port == 0 ? freePort() : port;
        // A fixed broker port gets the next port for its controller, so restarts see the same quorum.
        int controllerPort = port == 0 ? freePort() : port + 1;
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
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
                .run();

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        String bootstrap = host + ":" + brokerPort;
        LOG.info("embedded Kafka broker on {} (data in {})", bootstrap, logDir);
        return new EmbeddedBroker(server, bootstrap);
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
