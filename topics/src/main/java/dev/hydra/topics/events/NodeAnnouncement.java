package dev.hydra.topics.events;

import java.time.Instant;
import java.util.List;

/**
 * A crew worker's "I am here" on the compacted {@code hydra.crew.nodes}, keyed by node name and
 * repeated as a heartbeat: the router sends a task that {@code requires} capabilities only while a
 * node of its crew with those capabilities has announced itself recently.
 *
 * @param node the node's unique name, also the record key
 * @param models the models the node serves, e.g. {@code qwen2.5-coder:32b}
 * @param capabilities what the node can do, matched against {@link Task#requires()}: {@code vision},
 *                     {@code large-context}, …
 * @param heartbeatAt when the node last said it is alive
 * @param health UP, or DEGRADED while the node is alive but cannot work (its model endpoint is unreachable);
 *               absent in older announcements, which count as UP
 * @param detail why the node is DEGRADED, naming what a person can fix; empty when UP
 * @param modelCalls the model calls the node's agents made in its latency window (0: none yet)
 * @param modelLatencyP95Ms the 95th percentile of their latency, in ms (0 when there were none): what the
 *                          state assessor's slow-inference rule reads, no Prometheus needed
 */
public record NodeAnnouncement(String node, Crew crew, List<String> models, List<String> capabilities,
                               Instant heartbeatAt, Health health, String detail, int modelCalls,
                               double modelLatencyP95Ms) {
    /** Whether an announced node can take work. */
    public enum Health {
        UP, DEGRADED
    }

    public NodeAnnouncement {
        Fields.text(node, "node");
        Fields.present(crew, "crew");
        models = Fields.list(models, "models");
        capabilities = Fields.list(capabilities, "capabilities");
        heartbeatAt = heartbeatAt == null ? Instant.now() : heartbeatAt;
        health = health == null ? Health.UP : health;
        detail = detail == null ? "" : detail;
        if (modelCalls < 0 || modelLatencyP95Ms < 0 || !Double.isFinite(modelLatencyP95Ms)) {
            throw new IllegalArgumentException("modelCalls and modelLatencyP95Ms must be finite numbers, 0 or more, were "
                    + modelCalls + " and " + modelLatencyP95Ms);
        }
    }

    /** A node without model-call figures (none measured yet). */
    public NodeAnnouncement(String node, Crew crew, List<String> models, List<String> capabilities,
                            Instant heartbeatAt, Health health, String detail) {
        this(node, crew, models, capabilities, heartbeatAt, health, detail, 0, 0);
    }

    /** A node that is up. */
    public NodeAnnouncement(String node, Crew crew, List<String> models, List<String> capabilities,
                            Instant heartbeatAt) {
        this(node, crew, models, capabilities, heartbeatAt, Health.UP, "");
    }

    /** True unless the node said it cannot work right now. */
    public boolean up() {
        return health == Health.UP;
    }

    /** True if this node has every capability in {@code required}. */
    public boolean satisfies(List<String> required) {
        return capabilities.containsAll(required);
    }
}
