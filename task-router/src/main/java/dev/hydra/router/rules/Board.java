package dev.hydra.router.rules;

import dev.hydra.topics.events.NodeAnnouncement;
import java.util.List;
import java.util.Optional;

/**
 * What the {@link Dispatcher} remembers: open tasks, the open fingerprints, who holds which resource
 * and the known nodes. The router keeps it in Kafka Streams state stores; tests keep it in maps.
 */
public interface Board {
    Optional<TrackedTask> task(String taskId);

    void save(TrackedTask task);

    void forget(String taskId);

    /** Every open task. */
    List<TrackedTask> tasks();

    /** The open tasks in one phase, in no particular order. A board with many open tasks indexes them. */
    default List<TrackedTask> tasksIn(Phase phase) {
        return tasks().stream().filter(t -> t.phase() == phase).toList();
    }

    Optional<String> fingerprintOwner(String fingerprint);

    void openFingerprint(String fingerprint, String taskId);

    void closeFingerprint(String fingerprint);

    Optional<String> resourceHolder(String resource);

    void hold(String resource, String taskId);

    void free(String resource);

    void saveNode(NodeAnnouncement node);

    /** A task that ended (a terminal status, or the router gave up on it): when, and the content hash it had. */
    record Ended(long atMs, String contentSha256) {
        /** As kept in a store: {@code <ms> <sha256>}. */
        public String encoded() {
            return atMs + " " + contentSha256;
        }

        public static Ended decode(String encoded) {
            int space = encoded.indexOf(' ');
            return new Ended(Long.parseLong(encoded.substring(0, space)), encoded.substring(space + 1));
        }
    }

    /** How the task ended, while that is remembered. */
    Optional<Ended> endedAt(String taskId);

    void ended(String taskId, Ended ended);

    /** Forgets the ends before {@code cutoffMs}. */
    void forgetEndsBefore(long cutoffMs);

    List<NodeAnnouncement> nodes();
}
