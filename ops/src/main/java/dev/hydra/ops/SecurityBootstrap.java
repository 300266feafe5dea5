package dev.hydra.ops;

import dev.hydra.topics.config.KafkaSettings.ScramLogin;
import dev.hydra.topics.config.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the principals (SCRAM users) and the {@link AccessPolicy} on a cluster, as a super user, and
 * waits until the broker enforces them: metadata changes reach the broker's authorizer and
 * credential cache a moment after the controller accepts them, and a client that authenticates too
 * early is refused for good.
 */
final class SecurityBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityBootstrap.class);
    /** Kafka's default and minimum for SCRAM-SHA-512 is 4096; 8192 doubles a guesser's work. */
    private static final int SCRAM_ITERATIONS = 8192;

    private SecurityBootstrap() {
    }

    /** What {@link #apply} changed. */
    record Applied(List<String> usersCreated, int aclsCreated) {
    }

    /**
     * Creates the SCRAM users of {@code passwords} that do not exist yet (an existing user keeps its
     * password) and every binding, then waits until both are in force.
     */
    static Applied apply(Properties superUserClient, Map<Principal, String> passwords, Collection<AclBinding> bindings,
                         Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(superUserClient)) {
            Set<String> existing = retrying(deadline, () -> new HashSet<>(admin.describeUserScramCredentials().users().get()));
            List<UserScramCredentialAlteration> upserts = new ArrayList<>();
            List<String> created = new ArrayList<>();
            passwords.forEach((principal, password) -> {
                if (!existing.contains(principal.name())) {
                    upserts.add(new UserScramCredentialUpsertion(principal.name(),
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password));
                    created.add(principal.name());
                }
            });
            if (!upserts.isEmpty()) {
                admin.alterUserScramCredentials(upserts).all().get();
            }
            Set<AclBinding> present = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get());
            List<AclBinding> missing = bindings.stream().filter(b -> !present.contains(b)).toList();
            if (!missing.isEmpty()) {
                admin.createAcls(missing).all().get();
            }
            retrying(deadline, () -> {
                Collection<AclBinding> now = admin.describeAcls(AclBindingFilter.ANY).values().get();
                if (!now.containsAll(bindings)) {
                    throw new IllegalStateException("the broker does not enforce every ACL yet");
                }
                return now;
            });
            if (!created.isEmpty()) {
                awaitLogin(superUserClient, new Principal(created.get(0)), passwords.get(new Principal(created.get(0))), deadline);
            }
            // Callers say what was applied in their own line (the broker's start, `hydra acls --apply`).
            LOG.debug("security bootstrap: {} SCRAM users created {}, {} ACLs created", created.size(), created, missing.size());
            return new Applied(created, missing.size());
        }
    }

    /** Waits until a new user can authenticate: its credential has reached the broker. */
    private static void awaitLogin(Properties superUserClient, Principal user, String password, long deadline) throws Exception {
        Properties props = ScramLogin.clientProps(user.name(), password, ScramLogin.MECHANISM);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, superUserClient.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        retrying(deadline, () -> {
            try (Admin probe = Admin.create(props)) {
                return probe.describeCluster().clusterId().get();
            }
        });
    }

    private interface Attempt<T> {
        T run() throws Exception;
    }

    /** Retries until the deadline while the broker is still catching up (authorizer not ready, user unknown). */
    private static <T> T retrying(long deadline, Attempt<T> attempt) throws Exception {
        Exception last;
        do {
            try {
                return attempt.run();
            } catch (ExecutionException | IllegalStateException | SaslAuthenticationException e) {
                last = e;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("the cluster's users and ACLs did not take effect: " + last.getMessage(), last);
    }
}
