package dev.hydra.router;

import dev.hydra.router.rules.Board;
import dev.hydra.router.rules.Phase;
import dev.hydra.router.rules.TrackedTask;
import dev.hydra.topics.events.NodeAnnouncement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The dispatcher's {@link Board} kept in the router's changelogged state stores.
 *
 * <p>Open tasks are also mirrored in memory, because the dispatcher scans them (held tasks on every
 * close, everything on every check) and reading them back from RocksDB means parsing JSON each
 * time. The mirror is safe: this board is the only writer of the store, and it is rebuilt from the
 * store whenever Streams (re)initializes the processor, which is after any restore.
 */
final class StoreBoard implements Board {
    private final KeyValueStore<String, TrackedTask> tasks;
    private final KeyValueStore<String, String> fingerprints;
    private final KeyValueStore<String, String> resources;
    private final KeyValueStore<String, NodeAnnouncement> nodes;
    private final KeyValueStore<String, String> ends;
    private final Map<String, TrackedTask> openTasks = new LinkedHashMap<>();
    /**
     * The same tasks by phase: every close looks for HELD tasks and every node announcement for
     * WAITING_FOR_NODE ones, usually a handful among thousands queued, so a scan of all would make
     * routing a backlog quadratic.
     */
    private final Map<Phase, Map<String, TrackedTask>> byPhase = new EnumMap<>(Phase.class);

    StoreBoard(KeyValueStore<String, TrackedTask> tasks, KeyValueStore<String, String> fingerprints,
               KeyValueStore<String, String> resources, KeyValueStore<String, NodeAnnouncement> nodes,
               KeyValueStore<String, String> ends) {
        this.ends = ends;
        this.tasks = tasks;
        this.fingerprints = fingerprints;
        this.resources = resources;
        this.nodes = nodes;
        for (Phase phase : Phase.values()) {
            byPhase.put(phase, new LinkedHashMap<>());
        }
        values(tasks).forEach(this::mirror);
    }

    private void mirror(TrackedTask task) {
        TrackedTask before = openTasks.put(task.id(), task);
        if (before != null && before.phase() != task.phase()) {
            byPhase.get(before.phase()).remove(task.id());
        }
        byPhase.get(task.phase()).put(task.id(), task);
    }

    @Override
    public Optional<TrackedTask> task(String taskId) {
        return Optional.ofNullable(openTasks.get(taskId));
    }

    @Override
    public void save(TrackedTask task) {
        tasks.put(task.id(), task);
        mirror(task);
    }

    @Override
    public void forget(String taskId) {
        tasks.delete(taskId);
        TrackedTask before = openTasks.remove(taskId);
        if (before != null) {
            byPhase.get(before.phase()).remove(taskId);
        }
    }

    @Override
    public List<TrackedTask> tasks() {
        return new ArrayList<>(openTasks.values());
    }

    @Override
    public List<TrackedTask> tasksIn(Phase phase) {
        return new ArrayList<>(byPhase.get(phase).values());
    }

    @Override
    public Optional<String> fingerprintOwner(String fingerprint) {
        return Optional.ofNullable(fingerprints.get(fingerprint));
    }

    @Override
    public void openFingerprint(String fingerprint, String taskId) {
        fingerprints.put(fingerprint, taskId);
    }

    @Override
    public void closeFingerprint(String fingerprint) {
        fingerprints.delete(fingerprint);
    }

    @Override
    public Optional<String> resourceHolder(String resource) {
        return Optional.ofNullable(resources.get(resource));
    }

    @Override
    public void hold(String resource, String taskId) {
        resources.put(resource, taskId);
    }

    @Override
    public void free(String resource) {
        resources.delete(resource);
    }

    @Override
    public void saveNode(NodeAnnouncement node) {
        nodes.put(node.node(), node);
    }

    @Override
    public List<NodeAnnouncement> nodes() {
        return values(nodes);
    }

    @Override
    public Optional<Ended> endedAt(String taskId) {
        return Optional.ofNullable(ends.get(taskId)).map(Ended::decode);
    }

    @Override
    public void ended(String taskId, Ended ended) {
        ends.put(taskId, ended.encoded());
    }

    @Override
    public void forgetEndsBefore(long cutoffMs) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, String> all = ends.all()) {
            all.forEachRemaining(entry -> {
                if (Ended.decode(entry.value).atMs() < cutoffMs) {
                    old.add(entry.key);
                }
            });
        }
        old.forEach(ends::delete);
    }

    private static <V> List<V> values(KeyValueStore<String, V> store) {
        List<V> values = new ArrayList<>();
        try (KeyValueIterator<String, V> all = store.all()) {
            all.forEachRemaining(entry -> values.add(entry.value));
        }
        return values;
    }
}
