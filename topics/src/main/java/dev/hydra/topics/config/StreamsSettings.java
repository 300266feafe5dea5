package dev.hydra.topics.config;

/**
 * How the instances of one Streams application (the constitution filter, the router) share its
 * work: standby replicas and static membership. Read by {@code StreamsConfigs.instance}.
 */
public final class StreamsSettings {
    /**
     * One warm copy of every state store on another instance: when an instance is lost, the one that
     * takes over its tasks has the state already and resumes without restoring the changelog. With a
     * single instance there is nowhere to put it: Streams runs without (and logs a warning), so
     * the default suits one instance and two alike.
     */
    public static final Setting<Integer> STANDBY_REPLICAS = Setting.integer("streams.standbyReplicas",
            "HYDRA_STREAMS_STANDBY_REPLICAS", 1, 0, 3, "warm copies of each Streams state store on other instances");
    /**
     * Static membership: an instance that restarts under the same id gets its tasks back without a
     * rebalance, so the other instances never stop. Unique per instance of one application (two
     * instances with one id fence each other); empty keeps dynamic membership, which `docker compose
     * --scale` needs since its replicas share one environment.
     */
    public static final Setting<String> INSTANCE_ID = Setting.optionalText("streams.instanceId",
            "HYDRA_STREAMS_INSTANCE_ID", "this instance's group.instance.id in every Streams application it runs"
                    + " (empty: dynamic membership)");

    private StreamsSettings() {
    }
}
