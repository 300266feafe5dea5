package dev.hydra.ops;

import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hydra broker}: only the embedded single-node KRaft broker, in this process. Benchmarks and
 * the crash suite run it in its own JVM so that it does not compete with the code under test, and
 * so that it can be killed and restarted.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Runs only the embedded Kafka broker (KRaft, broker and controller in one process) until stopped.",
                "With --node-id and --quorum it is one node of a cluster (what `hydra chaos --brokers 3` runs);",
                "the replication of internal topics and min.insync.replicas come from kafka.replicationFactor",
                "and kafka.minInsyncReplicas of the config."})
final class BrokerCommand implements Callable<Integer> {
    // No picocli default: it would be applied after --port and overwrite it.
    @Option(names = "--kafka-port", description = "broker port, as for `hydra up` (default: 9092; the controller uses the next one)")
    Integer port;

    /** The name this option had before it matched `hydra up --kafka-port`. */
    @Option(names = "--port", hidden = true)
    void legacyPort(int port) {
        this.port = port;
    }

    int port() {
        return port != null ? port : 9092;
    }

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:HYDRA_DATA_DIR:-data}",
            description = "broker data lives in DIR/kafka (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--node-id", description = "this node's id in --quorum (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int nodeId;

    @Option(names = "--quorum", paramLabel = "ID@HOST:PORT:CONTROLLER_PORT,...",
            description = {"every node of the cluster (this one included), e.g. 1@127.0.0.1:9092:9093,2@127.0.0.1:9094:9095,...",
                    "(default: this node alone, on --kafka-port and the next port)"})
    String quorum;

    @Option(names = "--credentials-dir", paramLabel = "DIR",
            description = "generated credentials, shared by every node of a cluster (default: DATA_DIR/credentials)")
    Path credentialsDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HydraConfig config = HydraConfig.load(Path.of(System.getenv().getOrDefault("HYDRA_CONFIG", "config/hydra.yaml")),
                System.getenv());
        Optional<AccessPolicy> policy = config.get(OpsSettings.EMBEDDED_AUTH) ? Optional.of(AccessPolicy.of(config))
                : Optional.empty();
        EmbeddedBroker broker;
        if (quorum == null) {
            broker = EmbeddedBroker.start("127.0.0.1", port(), dataDir, policy);
        } else {
            List<EmbeddedBroker.Node> nodes = EmbeddedBroker.Node.parseAll(quorum);
            EmbeddedBroker.Node self = nodes.stream().filter(n -> n.id() == nodeId).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--node-id " + nodeId + " is not in --quorum " + quorum));
            broker = EmbeddedBroker.start("127.0.0.1", self, nodes, dataDir,
                    credentialsDir != null ? credentialsDir : dataDir.resolve("credentials"), policy,
                    KafkaSettings.Replication.of(config));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "hydra-broker-shutdown"));
        spec.commandLine().getOut().println("broker ready on " + broker.bootstrap());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
