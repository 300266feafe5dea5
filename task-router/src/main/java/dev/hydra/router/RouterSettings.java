package dev.hydra.router;

import dev.hydra.router.rules.Policy;
import dev.hydra.router.rules.RetryPolicy;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.Setting;
import java.time.Duration;

/**
 * The task router's settings (section {@code router:} of hydra.yaml), declared once here.
 *
 * @param checkInterval how often the wall-clock check runs (aging, stuck tasks, due retries, nodes)
 */
public record RouterSettings(String applicationId, Policy policy, Duration checkInterval) {

    public static final Setting<String> APPLICATION_ID = Setting.text("router.applicationId",
            "HYDRA_ROUTER_APPLICATION_ID", "hydra-task-router",
            "Kafka Streams application id: consumer group, internal topic and state directory prefix");
    /**
     * A task crosses two of the router's transactions (its input into the coordinator partition, the
     * dispatch into a lane), each invisible downstream until it commits: 100 ms (Streams' default) was
     * most of a task's way from proposed to claimed. 10 ms commits at most 100 transactions a second,
     * and only while there is work.
     */
    public static final Setting<Duration> COMMIT_INTERVAL = Setting.duration("router.commitInterval",
            "HYDRA_ROUTER_COMMIT_INTERVAL", "10ms", "how often the router commits its exactly-once transaction "
                    + "(routing is invisible downstream until it does): latency against commits per second");
    public static final Setting<Duration> PROMOTE_AFTER = Setting.duration("router.promoteAfter",
            "HYDRA_ROUTER_PROMOTE_AFTER", "10m", "an unclaimed task moves one lane up after waiting this long");
    public static final Setting<Duration> NODE_TIMEOUT = Setting.duration("router.nodeTimeout",
            "HYDRA_ROUTER_NODE_TIMEOUT", "60s", "a node whose last heartbeat is older than this is not live");
    public static final Setting<Duration> HEARTBEAT_TIMEOUT = Setting.duration("router.heartbeatTimeout",
            "HYDRA_ROUTER_HEARTBEAT_TIMEOUT", "2m", "a claimed task without CLAIMED/HEARTBEAT for this long is stuck");
    public static final Setting<Duration> TASK_TIMEOUT = Setting.duration("router.taskTimeout",
            "HYDRA_ROUTER_TASK_TIMEOUT", "30m", "a claimed task running longer than this is stuck (the seed's 30 minutes)");
    public static final Setting<Integer> MAX_ATTEMPTS = Setting.integer("router.maxAttempts",
            "HYDRA_ROUTER_MAX_ATTEMPTS", 3, 1, 20, "attempts of a stuck task before it is FAILED and dead-lettered");
    public static final Setting<Duration> RETRY_BACKOFF = Setting.duration("router.retryBackoff",
            "HYDRA_ROUTER_RETRY_BACKOFF", "30s", "wait before the first retry; doubles for each further one (max 10m)");
    public static final Setting<Duration> CHECK_INTERVAL = Setting.duration("router.checkInterval",
            "HYDRA_ROUTER_CHECK_INTERVAL", "5s", "how often aging, stuck detection, retries and node expiry are checked");
    public static final Setting<String> STATE_DIR = Setting.text("router.stateDir", "HYDRA_ROUTER_STATE_DIR",
            "data/streams", "state store directory when the router runs on its own (main)");

    public RouterSettings {
        if (checkInterval.isZero() || checkInterval.isNegative()) {
            throw new IllegalArgumentException("router.checkInterval must be positive, was " + checkInterval);
        }
    }

    public static RouterSettings from(HydraConfig config) {
        return new RouterSettings(config.get(APPLICATION_ID),
                new Policy(config.get(PROMOTE_AFTER), config.get(NODE_TIMEOUT), config.get(HEARTBEAT_TIMEOUT),
                        config.get(TASK_TIMEOUT), new RetryPolicy(config.get(MAX_ATTEMPTS), config.get(RETRY_BACKOFF))),
                config.get(CHECK_INTERVAL));
    }

    /** Every default, as in an empty hydra.yaml. */
    public static RouterSettings defaults() {
        return from(HydraConfig.of("{}", java.util.Map.of()));
    }
}
