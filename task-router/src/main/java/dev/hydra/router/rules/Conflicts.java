package dev.hydra.router.rules;

import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.Task;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The conflict table: one active task per resource. A task whose resources are held by another
 * task waits; held tasks are released most urgent first, then highest impact, then oldest.
 */
public final class Conflicts {

    /** The order in which held tasks get a freed resource. */
    public static final Comparator<TrackedTask> RELEASE_ORDER = Comparator
            .comparingInt((TrackedTask t) -> t.task().priority())
            .thenComparing(Comparator.comparingInt((TrackedTask t) -> t.task().impact()).reversed())
            .thenComparingLong(TrackedTask::admittedAtMs)
            .thenComparing(TrackedTask::id);

    private Conflicts() {
    }

    /**
     * The resource keys {@code task} holds while it is active. A dry-run replay changes nothing, so it
     * holds its resources only within its run: replayed tasks still meet each other's conflicts, as
     * they would have live, but never block live work.
     */
    public static List<String> claims(Task task) {
        String scope = scope(task);
        return scope.isEmpty() ? task.resources() : task.resources().stream().map(r -> scope + r).toList();
    }

    /** The namespace of a dry-run replay ({@code replay:<run>/}), empty for live work and real replays. */
    static String scope(Task task) {
        return Replay.isDryRun(task.replay()) ? "replay:" + task.replay().runId() + "/" : "";
    }

    /**
     * The resources of {@code taskId} that another task holds, each with its holder, in the task's
     * order; empty when the task may run.
     */
    public static Map<String, String> blockers(String taskId, List<String> resources,
                                               Function<String, Optional<String>> holderOf) {
        Map<String, String> blocked = new LinkedHashMap<>();
        for (String resource : resources) {
            holderOf.apply(resource).filter(holder -> !holder.equals(taskId))
                    .ifPresent(holder -> blocked.put(resource, holder));
        }
        return blocked;
    }
}
