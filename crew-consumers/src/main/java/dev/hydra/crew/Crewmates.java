package dev.hydra.crew;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who else is in a crew's consumer group: a worker whose model endpoint is down leaves the lanes to
 * them, and stays when there is nobody. Asked only while the endpoint is down, every probe interval.
 */
final class Crewmates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Crewmates.class);

    private final Admin admin;
    private final String group;
    private final String self;

    /** @param self this member's client id, which the group's description lists it by */
    Crewmates(Properties clientProps, String bootstrap, String group, String self) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, self + "-admin");
        props.putIfAbsent(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(props);
        this.group = group;
        this.self = self;
    }

    /** True if another member is in the group now; false when that cannot be told (then nobody stands aside). */
    boolean present() {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                    .get(5, TimeUnit.SECONDS).get(group);
            return description != null && description.members().stream().anyMatch(m -> !m.clientId().equals(self));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("{}: cannot describe group {}: {}", self, group, e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
