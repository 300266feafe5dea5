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
 */
public record NodeAnnouncement(String node, Crew crew, List<String> models, List<String> capabilities,
                               Instant heartbeatAt) {
    public NodeAnnouncement {
        Fields.text(node, "node");
        Fields.present(crew, "crew");
        models = Fields.list(models, "models");
        capabilities = Fields.list(capabilities, "capabilities");
        heartbeatAt = heartbeatAt == null ? Instant.now() : heartbeatAt;
    }

    /** True if this node has every capability in {@code required}. */
    public boolean satisfies(List<String> required) {
        return capabilities.containsAll(required);
    }
}
