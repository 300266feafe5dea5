package dev.hydra.router.rules;

import dev.hydra.topics.events.NodeAnnouncement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link Board} in maps, for testing the dispatcher without Kafka. */
final class MapBoard implements Board {
    final Map<String, TrackedTask> tasks = new LinkedHashMap<>();
    final Map<String, String> fingerprints = new LinkedHashMap<>();
    final Map<String, String> resources = new LinkedHashMap<>();
    final Map<String, NodeAnnouncement> nodes = new LinkedHashMap<>();
    final Map<String, Ended> ends = new LinkedHashMap<>();

    @Override
    public Optional<Ended> endedAt(String taskId) {
        return Optional.ofNullable(ends.get(taskId));
    }

    @Override
    public void ended(String taskId, Ended ended) {
        ends.put(taskId, ended);
    }

    @Override
    public void forgetEndsBefore(long cutoffMs) {
        ends.values().removeIf(ended -> ended.atMs() < cutoffMs);
    }

    @Override
    public Optional<TrackedTask> task(String taskId) {
        return Optional.ofNullable(tasks.get(taskId));
    }

    @Override
    public void save(TrackedTask task) {
        tasks.put(task.id(), task);
    }

    @Override
    public void forget(String taskId) {
        tasks.remove(taskId);
    }

    @Override
    public List<TrackedTask> tasks() {
        return new ArrayList<>(tasks.values());
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
        fingerprints.remove(fingerprint);
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
        resources.remove(resource);
    }

    @Override
    public void saveNode(NodeAnnouncement node) {
        nodes.put(node.node(), node);
    }

    @Override
    public List<NodeAnnouncement> nodes() {
        return new ArrayList<>(nodes.values());
    }
}
