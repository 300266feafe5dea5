package dev.hydra.router.rules;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Node affinity: a task that {@code requires} capabilities may go to its crew's lanes only while a
 * live node of that crew has all of them. A task that requires nothing can always go: any member of
 * the crew can take it, whether or not nodes announce themselves. A DEGRADED node (alive, but its model
 * endpoint is down) does not count: a task waits for a node that can run it rather than going to one
 * that would only hand it back.
 */
public final class Affinity {
    private Affinity() {
    }

    public static boolean canRun(Crew crew, List<String> requires, Collection<NodeAnnouncement> nodes, long nowMs,
                                 Duration nodeTimeout) {
        if (requires.isEmpty()) {
            return true;
        }
        return nodes.stream().anyMatch(node -> node.crew() == crew && live(node, nowMs, nodeTimeout) && node.up()
                && node.satisfies(requires));
    }

    /** A node is live while its last heartbeat is at most {@code nodeTimeout} old. */
    public static boolean live(NodeAnnouncement node, long nowMs, Duration nodeTimeout) {
        return nowMs - node.heartbeatAt().toEpochMilli() <= nodeTimeout.toMillis();
    }
}
