package dev.hydra.memory;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.memory.CoreBlock;
import dev.hydra.topics.memory.ResearchFindings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a crew's task result reads in its crew's core-memory block: the infrastructure crew keeps
 * the latest state per service ("letta: restart_service OK at …"), the research and development
 * crews one line per task.
 */
final class ResultEntries {
    /** Artefact names a crew may use to say which service a result is about, most specific first. */
    private static final List<String> SERVICE_ARTEFACTS = List.of("service", "container", "target");
    /**
     * The most technologies one result may name: each becomes a P4 task, and a result listing
     * hundreds would push every other finding out of the block.
     */
    static final int MAX_TECHNOLOGIES = 5;

    /** One write a result asks for: which block, by whom, what entries (one write, one new version). */
    record BlockUpdate(CoreBlock block, String writer, List<BlockContent.Entry> entries) {
    }

    private ResultEntries() {
    }

    static Optional<BlockUpdate> of(TaskResult result) {
        return CoreBlock.ownedBy(result.crew()).map(block -> {
            List<BlockContent.Entry> entries = new ArrayList<>();
            entries.add(new BlockContent.Entry(key(result), text(result)));
            entries.addAll(technologies(result));
            return new BlockUpdate(block, result.crew().wireName(), entries);
        });
    }

    /**
     * The research crew's {@code technologies_to_evaluate}, each as an {@code evaluate NAME: WHY} entry
     * of its block: the form the assessor's P4 rule reads ({@link ResearchFindings}).
     */
    private static List<BlockContent.Entry> technologies(TaskResult result) {
        if (result.crew() != Crew.RESEARCH || result.outcome() != Outcome.SUCCEEDED
                || !(result.artefacts().get(ResearchFindings.FIELD) instanceof List<?> listed)) {
            return List.of();
        }
        List<BlockContent.Entry> entries = new ArrayList<>();
        for (Object item : listed) {
            if (entries.size() == MAX_TECHNOLOGIES) {
                break;
            }
            if (item instanceof Map<?, ?> technology && technology.get("name") instanceof String name && !name.isBlank()) {
                Object why = technology.get("reason");
                entries.add(new BlockContent.Entry("evaluate " + name.strip(),
                        why instanceof String reason && !reason.isBlank() ? reason : "named by task "
                                + shortId(result.taskId())));
            }
        }
        return entries;
    }

    private static String key(TaskResult result) {
        if (result.crew() == Crew.INFRASTRUCTURE) {
            for (String name : SERVICE_ARTEFACTS) {
                if (result.artefacts().get(name) instanceof String service && !service.isBlank()) {
                    return service;
                }
            }
        }
        return "task " + shortId(result.taskId());
    }

    private static String text(TaskResult result) {
        StringBuilder text = new StringBuilder();
        text.append(result.action().isEmpty() ? "task" : result.action())
                .append(result.outcome() == Outcome.SUCCEEDED ? " OK" : " FAILED")
                .append(" at ").append(result.at());
        if (result.crew() == Crew.INFRASTRUCTURE) {
            text.append(" (task ").append(shortId(result.taskId())).append(')');
        }
        if (!result.summary().isBlank()) {
            text.append(": ").append(result.summary());
        }
        return text.toString();
    }

    static String shortId(String id) {
        return id.length() <= 8 ? id : id.substring(0, 8);
    }
}
