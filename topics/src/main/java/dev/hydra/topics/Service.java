package dev.hydra.topics;

import java.util.List;
import java.util.Optional;

/** A Hydra service: started once, closed once; runs alone with its own main or with others in one JVM. */
public interface Service extends AutoCloseable {
    /** A short name for logs and the health endpoint. */
    String name();

    /** Starts the service; returns once it is running, throws if it cannot start. */
    void start() throws Exception;

    /** True while the service is doing its job. */
    boolean healthy();

    /**
     * Why the service is up but cannot do its work right now (a crew worker whose model endpoint is
     * unreachable), naming what a person can fix; empty while it can. The health endpoint shows DEGRADED.
     */
    default Optional<String> degraded() {
        return Optional.empty();
    }

    /** What a person should know about a service that is up but not doing all of its job; empty when nothing. */
    default Optional<String> healthNote() {
        return Optional.empty();
    }

    /** The consumer groups this service reads with: their lag says whether it keeps up. */
    default List<String> consumerGroups() {
        return List.of();
    }

    /** The state of the Kafka Streams application this service runs (RUNNING, REBALANCING, …), if any. */
    default Optional<String> streamsState() {
        return Optional.empty();
    }

    /** Stops the service and releases what it holds. Never throws. */
    @Override
    void close();
}
