package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.constitution.AuditVerifier;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The independent checker of a chaos run: reads the topics and the side-effect log itself and
 * judges the guarantees, trusting no service's own bookkeeping.
 */
final class ChaosChecks {
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(3);

    private final Properties client;
    private final Path effectsLog;

    ChaosChecks(Properties client, Path effectsLog) {
        this.client = client;
        this.effectsLog = effectsLog;
    }

    /** Waits until every task has a terminal status, or the timeout passes. */
    void awaitTerminal(Set<String> taskIds, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (terminalStates().keySet().containsAll(taskIds)) {
                return;
            }
            Thread.sleep(2_000);
        }
    }

    private Map<String, Set<String>> terminalStates() {
        Map<String, Set<String>> terminal = new HashMap<>();
        TopicSnapshot.read(client, Topics.TASK_STATUS.name(), READ_TIMEOUT, (record, partition) -> {
            JsonNode status = json(record.value());
            String state = status.path("state").asText();
            if (state.equals("COMPLETED") || state.equals("FAILED")) {
                terminal.computeIfAbsent(record.key(), k -> new HashSet<>()).add(state);
            }
        });
        return terminal;
    }

    List<ChaosRun.Check> verify(Set<String> taskIds, Set<String> hostileKeys) throws Exception {
        List<ChaosRun.Check> checks = new ArrayList<>();
        Map<String, Set<String>> terminal = terminalStates();
        long missing = taskIds.stream().filter(id -> !terminal.containsKey(id)).count();
        long several = taskIds.stream().filter(id -> terminal.getOrDefault(id, Set.of()).size() > 1).count();
        long failed = taskIds.stream().filter(id -> terminal.getOrDefault(id, Set.of()).contains("FAILED")).count();
        checks.add(new ChaosRun.Check("every task ended in exactly one terminal state", missing == 0 && several == 0,
                taskIds.size() + " tasks, " + missing + " without a terminal state, " + several + " with two, "
                        + failed + " FAILED"));

        Map<String, Integer> verdicts = new HashMap<>();
        TopicSnapshot.read(client, Topics.AUDIT.name(), READ_TIMEOUT, (record, partition) -> {
            if (json(record.value()).path("action").asText().equals("verdict")) {
                verdicts.merge(record.key(), 1, Integer::sum);
            }
        });
        long noVerdict = taskIds.stream().filter(id -> !verdicts.containsKey(id)).count();
        long dupVerdict = taskIds.stream().filter(id -> verdicts.getOrDefault(id, 0) > 1).count();
        checks.add(new ChaosRun.Check("exactly one verdict audit record per task", noVerdict == 0 && dupVerdict == 0,
                noVerdict + " missing, " + dupVerdict + " duplicated"));

        Map<String, Integer> approved = countByKey(Topics.TASKS_APPROVED.name());
        long notApproved = taskIds.stream().filter(id -> !approved.containsKey(id)).count();
        long dupApproved = taskIds.stream().filter(id -> approved.getOrDefault(id, 0) > 1).count();
        checks.add(new ChaosRun.Check("exactly one verdict output (hydra.tasks.approved) per task",
                notApproved == 0 && dupApproved == 0, notApproved + " missing, " + dupApproved + " duplicated"));

        Map<String, Integer> effects = new HashMap<>();
        if (Files.exists(effectsLog)) {
            for (String line : Files.readAllLines(effectsLog)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length >= 2) {
                    effects.merge(parts[0] + " attempt " + parts[1], 1, Integer::sum);
                }
            }
        }
        long repeated = effects.values().stream().filter(n -> n > 1).count();
        long completedWithoutEffect = taskIds.stream().filter(id -> terminal.getOrDefault(id, Set.of()).contains("COMPLETED"))
                .filter(id -> effects.keySet().stream().noneMatch(k -> k.startsWith(id + " "))).count();
        checks.add(new ChaosRun.Check("no side effect ran twice (per task and attempt)", repeated == 0 && completedWithoutEffect == 0,
                effects.size() + " effects, " + repeated + " repeated, " + completedWithoutEffect + " completed tasks without one"));

        Set<String> deadLettered = new HashSet<>();
        TopicSnapshot.read(client, Topics.DLQ.name(), READ_TIMEOUT, (record, partition) -> {
            if (Topics.TASKS_PROPOSED.name().equals(DeadLetters.header(record.headers(), DeadLetters.SOURCE_TOPIC))) {
                deadLettered.add(record.key());
            }
        });
        long notDead = hostileKeys.stream().filter(k -> !deadLettered.contains(k)).count();
        long leaked = hostileKeys.stream().filter(approved::containsKey).count();
        checks.add(new ChaosRun.Check("every hostile event is in hydra.dlq, none got through", notDead == 0 && leaked == 0,
                hostileKeys.size() + " hostile, " + notDead + " not dead-lettered, " + leaked + " approved"));

        AuditVerifier.Report chain = AuditVerifier.strict().verifyTopic(client, READ_TIMEOUT);
        checks.add(new ChaosRun.Check("the audit hash chain verifies", chain.intact(),
                chain.checked() + " records, " + chain.chains() + " chains"
                        + chain.firstBreak().map(b -> ", first break: " + b).orElse("")));
        return checks;
    }

    private Map<String, Integer> countByKey(String topic) {
        Map<String, Integer> counts = new HashMap<>();
        TopicSnapshot.read(client, topic, READ_TIMEOUT, (record, partition) -> counts.merge(record.key(), 1, Integer::sum));
        return counts;
    }

    private static JsonNode json(byte[] value) {
        try {
            return Json.parse(new String(value, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }
}
