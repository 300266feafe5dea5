package dev.hydra.crew;

import dev.hydra.topics.KafkaTestCluster;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real broker for every broker test class of this module (they run in one JVM, one after the
 * other): starting a KRaft node costs seconds on a loaded machine. It lives in JUnit's root store,
 * so it is closed once, after the last test class. Test classes stay independent by using their
 * own task ids and by skipping their consumer groups to the end first ({@link Lanes}).
 */
final class TestBroker implements BeforeAllCallback {
    private static KafkaTestCluster cluster;

    /** The store closes what it holds when the test run ends. */
    private record Resource(KafkaTestCluster cluster) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            cluster.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(TestBroker.class,
                key -> new Resource(start()), Resource.class);
    }

    private static synchronized KafkaTestCluster start() {
        if (cluster == null) {
            cluster = KafkaTestCluster.start().withCatalogTopics();
        }
        return cluster;
    }

    /** The broker; test classes using it are annotated {@code @ExtendWith(TestBroker.class)}. */
    static synchronized KafkaTestCluster get() {
        return start();
    }
}
