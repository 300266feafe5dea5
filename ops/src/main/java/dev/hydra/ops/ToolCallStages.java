package dev.hydra.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a tool call's round trip goes, stage by stage, seen from outside the services: when each call
 * was sent and answered (the caller says), when its approval became readable on
 * {@code hydra.toolcalls.approved} (a read_committed reader beside the executor's, so it sees the
 * release when the executor can), and when the executor wrote its result (the result record's
 * timestamp). All on this host's clock.
 */
final class ToolCallStages implements AutoCloseable {
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Map<String, Long> approvedAt = new ConcurrentHashMap<>();
    private final Map<String, Long> resultWrittenAt = new ConcurrentHashMap<>();
    private final Map<String, Long> answeredAt = new ConcurrentHashMap<>();
    private final TopicReader approved;
    private final TopicReader results;

    ToolCallStages(Properties client) {
        approved = TopicReader.open(client, "hydra-bench-approved", List.of(Topics.TOOLCALLS_APPROVED.name()),
                TopicReader.Start.end()).follow("bench-approved", r -> {
                    if (r.key() != null) {
                        approvedAt.putIfAbsent(r.key(), System.currentTimeMillis());
                    }
                });
        results = TopicReader.open(client, "hydra-bench-results", List.of(Topics.TOOLCALLS_RESULTS.name()),
                TopicReader.Start.end()).follow("bench-results", r -> {
                    if (r.key() != null) {
                        resultWrittenAt.putIfAbsent(r.key(), r.timestamp());
                    }
                });
    }

    void sent(String id) {
        sentAt.put(id, System.currentTimeMillis());
    }

    void answered(String id) {
        answeredAt.put(id, System.currentTimeMillis());
    }

    /** Forgets every call so far (warm-up calls are not measured). */
    void reset() {
        sentAt.clear();
        approvedAt.clear();
        resultWrittenAt.clear();
        answeredAt.clear();
    }

    /**
     * p50 and p99 of each stage over the answered calls: constitution (sent → release readable),
     * executor (release readable → result written), return (result written → the caller has it).
     */
    void putInto(ObjectNode row) {
        Latencies constitution = new Latencies();
        Latencies executor = new Latencies();
        Latencies back = new Latencies();
        answeredAt.forEach((id, answered) -> {
            Long sent = sentAt.get(id);
            Long released = approvedAt.get(id);
            Long written = resultWrittenAt.get(id);
            if (sent != null && released != null && written != null) {
                constitution.add(Math.max(0, released - sent));
                executor.add(Math.max(0, written - released));
                back.add(Math.max(0, answered - written));
            }
        });
        ObjectNode stages = row.putObject("stages");
        put(stages, "constitution", constitution);
        put(stages, "executor", executor);
        put(stages, "return", back);
    }

    private static void put(ObjectNode stages, String name, Latencies latencies) {
        stages.putObject(name).put("calls", latencies.count()).put("p50Ms", latencies.percentile(0.5))
                .put("p99Ms", latencies.percentile(0.99));
    }

    @Override
    public void close() {
        approved.close();
        results.close();
    }
}
