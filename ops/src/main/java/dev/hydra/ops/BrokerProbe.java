package dev.hydra.ops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that something listens at the bootstrap servers before a client command starts a Kafka
 * client: a client facing a dead address retries for a minute (and logs every retry), where the
 * person typing the command wants one line saying where nothing answered.
 */
final class BrokerProbe {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(4);

    private BrokerProbe() {
    }

    /** Returns if one of the servers accepts a connection; throws a one-line, actionable error otherwise. */
    static void requireReachable(String bootstrap) {
        List<String> failures = new ArrayList<>();
        for (String server : bootstrap.split(",")) {
            String hostPort = server.trim();
            int colon = hostPort.lastIndexOf(':');
            String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
                return;
            } catch (IOException e) {
                failures.add(hostPort + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            }
        }
        throw new IllegalArgumentException("no Kafka broker at " + String.join(", ", failures)
                + ": start the stack (./hydra up), or name the right one with --bootstrap or HYDRA_KAFKA_BOOTSTRAP");
    }
}
