package dev.hydra.ops;

import dev.hydra.topics.config.HydraConfig;
import java.nio.file.Path;
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
        description = "Runs only the embedded single-node Kafka broker (KRaft) until stopped.")
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HydraConfig config = HydraConfig.load(Path.of(System.getenv().getOrDefault("HYDRA_CONFIG", "config/hydra.yaml")),
                System.getenv());
        EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", port(), dataDir,
                config.get(OpsSettings.EMBEDDED_AUTH) ? Optional.of(AccessPolicy.of(config)) : Optional.empty());
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
