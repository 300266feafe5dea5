package dev.hydra.memory;

import dev.hydra.topics.KafkaTestCluster;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real broker for all of this module's test classes in a JVM: starting one takes seconds (half
 * a minute on a loaded machine), and the classes use distinct keys and groups, so they can share it.
 * It is closed when the whole test run ends (JUnit's root store), not at JVM exit, where it would
 * race Kafka's own temp-directory cleanup.
 */
final class TestBroker implements BeforeAllCallback {
    private static KafkaTestCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (TestBroker.class) {
            if (cluster == null) {
                cluster = KafkaTestCluster.start().withCatalogTopics();
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(TestBroker.class.getName(),
                        (ExtensionContext.Store.CloseableResource) TestBroker::stop);
            }
        }
    }

    private static synchronized void stop() {
        cluster.close();
        cluster = null;
    }

    /** The broker; the test class must be annotated {@code @ExtendWith(TestBroker.class)}. */
    static synchronized KafkaTestCluster get() {
        if (cluster == null) {
            throw new IllegalStateException("annotate the test class with @ExtendWith(TestBroker.class)");
        }
        return cluster;
    }
}
