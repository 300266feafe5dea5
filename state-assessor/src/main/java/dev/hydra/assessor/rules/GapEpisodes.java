package dev.hydra.assessor.rules;

import dev.hydra.topics.events.Task;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which gaps are open, and since when. A gap seen by consecutive assessments is one episode and keeps
 * its task id, so the router's dedup drops the repeats while its task is open; a gap that closes (an
 * assessment no longer sees it) and reopens is a new episode, hence new work under a new id: a service
 * that fails, recovers and fails again is restarted again. So is a gap still open after its episode's
 * task {@linkplain #ended ended} (a restart that completed while the service stays down): dedup holds
 * only while the earlier task is open, and the router never routes an id again once it ended.
 * Framework-free; one per assessor, whose assessments run one after another.
 */
public final class GapEpisodes {
    private Map<String, Instant> openSince = new HashMap<>();
    /** Task ids of open episodes whose task ended; bounded by the open gaps. */
    private final Set<String> endedTasks = new HashSet<>();

    /** The gaps of one assessment with their episode's task ids; forgets the gaps it no longer sees. */
    public synchronized List<Gap> assign(List<Gap> gaps, Instant at) {
        Map<String, Instant> open = new HashMap<>();
        List<Gap> assigned = new ArrayList<>(gaps.size());
        for (Gap gap : gaps) {
            Task task = gap.task();
            // the gap's own id names what it is about (crew, action, target); the episode makes it this occurrence
            Instant since = openSince.getOrDefault(task.id(), at);
            if (endedTasks.remove(GapRules.episodeId(task.id(), since))) {
                since = at; // its task ended and the gap is still there: new work
            }
            open.put(task.id(), since);
            assigned.add(new Gap(gap.rule(), task.withId(GapRules.episodeId(task.id(), since))));
        }
        openSince = open;
        endedTasks.clear(); // ends of episodes no longer open, or of tasks that were not the assessor's
        return assigned;
    }

    /** A task ended (a result on hydra.tasks.results); an open gap whose task it was is new work next time. */
    public synchronized void ended(String taskId) {
        for (Map.Entry<String, Instant> episode : openSince.entrySet()) {
            if (GapRules.episodeId(episode.getKey(), episode.getValue()).equals(taskId)) {
                endedTasks.add(taskId);
                return;
            }
        }
    }
}
