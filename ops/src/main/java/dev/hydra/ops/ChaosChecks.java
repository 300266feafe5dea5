package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hydra.constitution.AuditVerifier;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topic;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The independent checker of a chaos run: reads the topics and the side-effect log itself and
 * judges the guarantees, trusting no service's own bookkeeping.
 */
final class ChaosChecks {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosChecks.class);
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(3);
    /** How many ids a failed check names, so that a person can follow them with {@code hydra history}. */
    private static final int EXAMPLES = 5;

    /** What the load offered, as the broker acknowledged it. */
    /** {@code pathological}: each pathological tool call's key and the name of its input. */
    record Fed(Map<String, Task> tasks, Map<String, Hostile> hostile, Map<String, String> pathological, int refused,
               String firstRefusal) {
    }

    /** A hostile event as fed: its topic, kind and the SHA-256 of its bytes. */
    record Hostile(String topic, HostileEvents.Kind kind, String sha256) {
        static Hostile of(HostileEvents.Event event) {
            return new Hostile(event.topic().name(), event.kind(), digest(event.value()));
        }
    }

    /** Reads of the audit topic while ended tasks still lack their execution record: about 30 s. */
    private static final int AUDIT_READS = 30;

    private final Properties client;
    private final Path effectsLog;

    ChaosChecks(Properties client, Path effectsLog) {
        this.client = client;
        this.effectsLog = effectsLog;
    }

    List<ChaosRun.Check> verify(Fed fed) throws Exception {
        List<ChaosRun.Check> checks = new ArrayList<>();
        Set<String> taskIds = fed.tasks().keySet();
        checks.add(new ChaosRun.Check("the load was fed in full (the broker acknowledged every event)", fed.refused() == 0,
                fed.tasks().size() + " tasks and " + fed.hostile().size() + " hostile events acknowledged, "
                        + fed.refused() + " refused" + (fed.firstRefusal() == null ? "" : " (" + fed.firstRefusal() + ")")));

        Map<String, List<String>> terminal = new HashMap<>();
        read(Topics.TASK_STATUS, record -> {
            String state = json(record.value()).path("state").asText();
            if (state.equals(TaskState.COMPLETED.name()) || state.equals(TaskState.FAILED.name())) {
                terminal.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(state);
            }
        });
        List<String> missing = taskIds.stream().filter(id -> !terminal.containsKey(id)).sorted().toList();
        List<String> several = taskIds.stream().filter(id -> terminal.getOrDefault(id, List.of()).size() > 1).sorted().toList();
        long failed = taskIds.stream().filter(id -> terminal.getOrDefault(id, List.of()).contains("FAILED")).count();
        checks.add(new ChaosRun.Check("every task ended in exactly one terminal state", missing.isEmpty() && several.isEmpty(),
                taskIds.size() + " tasks, " + count(missing, "without a terminal state") + ", "
                        + count(several, "with two or more terminal records") + ", " + failed + " FAILED"));

        AuditCounts audit = auditCounts(terminal.keySet().stream().filter(taskIds::contains).collect(Collectors.toSet()));
        Map<String, Integer> verdicts = audit.verdicts();
        Map<String, Integer> otherAudit = audit.other();
        List<String> noVerdict = taskIds.stream().filter(id -> !verdicts.containsKey(id)).sorted().toList();
        List<String> dupVerdict = taskIds.stream().filter(id -> verdicts.getOrDefault(id, 0) > 1).sorted().toList();
        // A task that ended has its execution audited once, chained after its verdict (the filter reads
        // the crews' terminal statuses); nothing else is audited about a task of this load.
        List<String> noExecution = terminal.keySet().stream().filter(taskIds::contains)
                .filter(id -> !audit.executions().containsKey(id)).sorted().toList();
        List<String> dupExecution = taskIds.stream().filter(id -> audit.executions().getOrDefault(id, 0) > 1)
                .sorted().toList();
        List<String> extraAudit = taskIds.stream().filter(otherAudit::containsKey).sorted().toList();
        List<String> dupIds = audit.ids().entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .sorted().toList();
        checks.add(new ChaosRun.Check("exactly one verdict and one execution audit record per task, no audit record twice",
                noVerdict.isEmpty() && dupVerdict.isEmpty() && noExecution.isEmpty() && dupExecution.isEmpty()
                        && extraAudit.isEmpty() && dupIds.isEmpty(),
                audit.ids().size() + " audit records: " + count(noVerdict, "tasks without a verdict") + ", "
                        + count(dupVerdict, "with two") + ", " + count(noExecution, "ended tasks without an execution record")
                        + ", " + count(dupExecution, "with two") + ", " + count(extraAudit, "with another audit record")
                        + ", " + count(dupIds, "record ids written twice")));

        Map<String, List<Task>> approved = new HashMap<>();
        Set<String> approvedKeys = new HashSet<>();
        read(Topics.TASKS_APPROVED, record -> {
            approvedKeys.add(record.key());
            if (fed.tasks().containsKey(record.key())) {
                approved.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(parse(Topics.TASKS_APPROVED, record));
            }
        });
        Set<String> elsewhere = new HashSet<>();
        for (Topic<?> topic : List.of(Topics.TASKS_REJECTED, Topics.APPROVAL_REQUESTS)) {
            read(topic, record -> elsewhere.add(record.key()));
        }
        List<String> notApproved = taskIds.stream().filter(id -> !approved.containsKey(id)).sorted().toList();
        List<String> dupApproved = taskIds.stream().filter(id -> approved.getOrDefault(id, List.of()).size() > 1).sorted().toList();
        List<String> altered = taskIds.stream().filter(id -> approved.getOrDefault(id, List.of()).stream()
                .anyMatch(t -> !fed.tasks().get(id).equals(t))).sorted().toList();
        List<String> parked = taskIds.stream().filter(elsewhere::contains).sorted().toList();
        checks.add(new ChaosRun.Check("exactly one approved copy per task, as proposed (hydra.tasks.approved)",
                notApproved.isEmpty() && dupApproved.isEmpty() && altered.isEmpty() && parked.isEmpty(),
                count(notApproved, "missing") + ", " + count(dupApproved, "duplicated") + ", " + count(altered, "altered")
                        + ", " + count(parked, "rejected or parked for approval")));

        checks.add(effects(fed, terminal));
        Map<String, Integer> audited = new HashMap<>(otherAudit);
        audit.executions().forEach((key, n) -> audited.merge(key, n, Integer::sum));
        checks.add(deadLetters(fed, verdicts, audited, approvedKeys, elsewhere));
        checks.add(pathological(fed));

        AuditVerifier.Report chain = AuditVerifier.strict().verifyTopic(client, READ_TIMEOUT);
        checks.add(new ChaosRun.Check("the audit hash chain verifies", chain.intact(),
                chain.checked() + " records, " + chain.chains() + " chains"
                        + chain.firstBreak().map(b -> ", first break: " + b).orElse("")));
        return checks;
    }

    /** Audit records by key: verdicts, executions, anything else; and how often each record id occurs. */
    private record AuditCounts(Map<String, Integer> verdicts, Map<String, Integer> executions,
                               Map<String, Integer> other, Map<String, Integer> ids) {
    }

    /**
     * Reads hydra.audit. The filter audits an execution once it reads the terminal status, a commit
     * interval or a restart after the crew wrote it, so the read is repeated (a bounded number of
     * times) while an ended task has no execution record yet.
     */
    private AuditCounts auditCounts(Set<String> ended) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            AuditCounts counts = new AuditCounts(new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>());
            read(Topics.AUDIT, record -> {
                JsonNode audit = json(record.value());
                counts.ids().merge(audit.path("id").asText(), 1, Integer::sum);
                String action = audit.path("action").asText();
                (action.equals("verdict") ? counts.verdicts() : action.equals("executed") ? counts.executions()
                        : counts.other()).merge(record.key(), 1, Integer::sum);
            });
            if (attempt >= AUDIT_READS || counts.executions().keySet().containsAll(ended)) {
                return counts;
            }
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /** effects.log has one line {@code <taskId> <attempt> <node>} per side effect that ran. */
    private ChaosRun.Check effects(Fed fed, Map<String, List<String>> terminal) throws Exception {
        Map<String, Integer> effects = new HashMap<>();
        Map<String, Set<String>> attempts = new HashMap<>();
        if (Files.exists(effectsLog)) {
            for (String line : Files.readAllLines(effectsLog)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length >= 2) {
                    effects.merge(parts[0] + " attempt " + parts[1], 1, Integer::sum);
                    attempts.computeIfAbsent(parts[0], k -> new HashSet<>()).add(parts[1]);
                }
            }
        }
        List<String> repeated = effects.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
        List<String> withoutEffect = fed.tasks().keySet().stream()
                .filter(id -> terminal.getOrDefault(id, List.of()).contains("COMPLETED") && !attempts.containsKey(id))
                .sorted().toList();
        List<String> redone = attempts.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey)
                .sorted().toList();
        return new ChaosRun.Check("no side effect ran twice (per task and attempt, effects.log)",
                repeated.isEmpty() && withoutEffect.isEmpty(),
                effects.size() + " effects, " + count(repeated, "repeated") + ", " + count(withoutEffect,
                        "completed tasks without one") + "; " + count(redone, "tasks redone by a later attempt"));
    }

    /**
     * Each hostile event, by its key: in hydra.dlq exactly once, from the topic it was fed to, byte
     * for byte; and nowhere a verdict, approval request or tool call would have put it.
     */
    private ChaosRun.Check deadLetters(Fed fed, Map<String, Integer> verdicts, Map<String, Integer> otherAudit,
                                       Set<String> approvedKeys, Set<String> elsewhere) {
        Map<String, Integer> copies = new HashMap<>();
        Set<String> faithful = new HashSet<>();
        read(Topics.DLQ, record -> {
            Hostile hostile = record.key() == null ? null : fed.hostile().get(record.key());
            if (hostile == null) {
                return;
            }
            copies.merge(record.key(), 1, Integer::sum);
            if (hostile.topic().equals(DeadLetters.header(record.headers(), DeadLetters.SOURCE_TOPIC))
                    && hostile.sha256().equals(digest(record.value()))) {
                faithful.add(record.key());
            }
        });
        Set<String> downstream = new HashSet<>(approvedKeys);
        downstream.addAll(elsewhere);
        downstream.addAll(verdicts.keySet());
        downstream.addAll(otherAudit.keySet());
        for (Topic<?> topic : List.of(Topics.TOOLCALLS_APPROVED, Topics.TOOLCALLS_RESULTS)) {
            read(topic, record -> downstream.add(record.key()));
        }
        Set<String> keys = fed.hostile().keySet();
        List<String> missing = keys.stream().filter(k -> !copies.containsKey(k)).sorted().toList();
        List<String> twice = keys.stream().filter(k -> copies.getOrDefault(k, 0) > 1).sorted().toList();
        List<String> altered = keys.stream().filter(k -> copies.containsKey(k) && !faithful.contains(k)).sorted().toList();
        List<String> through = keys.stream().filter(downstream::contains).sorted().toList();
        Map<String, Long> byKind = fed.hostile().values().stream().collect(Collectors.groupingBy(h -> h.kind().label,
                TreeMap::new, Collectors.counting()));
        Map<String, Long> byTopic = fed.hostile().values().stream().collect(Collectors.groupingBy(Hostile::topic,
                TreeMap::new, Collectors.counting()));
        return new ChaosRun.Check("every hostile event is in hydra.dlq once, unaltered, none got through",
                missing.isEmpty() && twice.isEmpty() && altered.isEmpty() && through.isEmpty(),
                keys.size() + " hostile " + byTopic + " " + byKind + ": " + count(missing, "not dead-lettered") + ", "
                        + count(twice, "twice") + ", " + count(altered, "altered") + ", " + count(through, "got through"));
    }

    /**
     * Each pathological tool call (a valid call built to exhaust the checker): exactly one verdict, parked
     * for a person (a reason, not an error) or denied; never approved, never dead-lettered. The rest of
     * the load finishing shows the filter went on past them.
     */
    private ChaosRun.Check pathological(Fed fed) {
        Map<String, Set<String>> requests = new HashMap<>();
        List<String> errors = new ArrayList<>();
        read(Topics.APPROVAL_REQUESTS, record -> {
            ApprovalRequest request = parse(Topics.APPROVAL_REQUESTS, record);
            if (request != null && fed.pathological().containsKey(request.subjectId())) {
                requests.computeIfAbsent(request.subjectId(), k -> new HashSet<>()).add(request.id());
                if (request.reason().contains("Error") || request.reason().contains("Exception")) {
                    errors.add(request.subjectId());
                }
            }
        });
        Map<String, Integer> denied = new HashMap<>();
        read(Topics.TOOLCALLS_RESULTS, record -> {
            ToolResult result = parse(Topics.TOOLCALLS_RESULTS, record);
            if (result != null && result.status() == ToolStatus.DENIED && fed.pathological().containsKey(result.toolCallId())) {
                denied.merge(result.toolCallId(), 1, Integer::sum);
            }
        });
        Set<String> through = new HashSet<>();
        for (Topic<?> topic : List.of(Topics.TOOLCALLS_APPROVED, Topics.DLQ)) {
            read(topic, record -> {
                if (fed.pathological().containsKey(record.key())) {
                    through.add(record.key());
                }
            });
        }
        Set<String> keys = fed.pathological().keySet();
        List<String> none = keys.stream().filter(k -> !requests.containsKey(k) && !denied.containsKey(k)).sorted().toList();
        List<String> several = keys.stream().filter(k -> requests.getOrDefault(k, Set.of()).size()
                + denied.getOrDefault(k, 0) > 1).sorted().toList();
        List<String> leaked = keys.stream().filter(through::contains).sorted().toList();
        return new ChaosRun.Check("every pathological tool call got one verdict (parked or denied), none approved or dead-lettered",
                none.isEmpty() && several.isEmpty() && leaked.isEmpty() && errors.isEmpty(),
                keys.size() + " pathological tool calls, " + requests.size() + " parked, " + denied.size() + " denied: "
                        + count(none, "without a verdict") + ", " + count(several, "with two") + ", "
                        + count(leaked, "approved or dead-lettered") + ", " + count(errors, "parked with an error"));
    }

    private void read(Topic<?> topic, Consumer<ConsumerRecord<String, byte[]>> each) {
        TopicReader.read(client, topic.name(), Optional.empty(), READ_TIMEOUT, record -> {
            each.accept(record);
            return true;
        });
    }

    private static <V> V parse(Topic<V> topic, ConsumerRecord<String, byte[]> record) {
        try {
            return topic.valueSerde().deserialize(topic.name(), record.value());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** "3 missing (a, b, c)": the count and the first few ids. */
    private static String count(List<String> ids, String what) {
        return ids.size() + " " + what + (ids.isEmpty() ? "" : " (" + examples(ids) + ")");
    }

    /** "a, b, c, …": the first few of a list of ids, for messages. */
    static String examples(List<String> ids) {
        return ids.stream().limit(EXAMPLES).collect(Collectors.joining(", ")) + (ids.size() > EXAMPLES ? ", …" : "");
    }

    private static String digest(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value == null ? new byte[0] : value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static JsonNode json(byte[] value) {
        try {
            return Json.parse(new String(value, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return MissingNode.getInstance();
        }
    }

    /**
     * Follows hydra.tasks.status as it is written: which of the run's tasks reached a terminal
     * state, and which task each node holds right now. This is what the run's waits watch (between
     * faults, and while draining); the checks read every topic again from its beginning.
     */
    static final class StatusWatch implements AutoCloseable {
        /** A task a node claimed and has not finished, interrupted or given up yet. */
        record Claim(String taskId, int attempt, Instant at) {
        }

        private final String prefix;
        private final TopicReader reader;
        /** Each task with a terminal state, and its index (ids are {@code prefix + index}). */
        private final Map<String, Integer> terminal = new ConcurrentHashMap<>();
        private final Map<String, Claim> held = new ConcurrentHashMap<>();
        /** When each terminal status was written, in the order read. */
        private final java.util.Queue<Instant> ended = new java.util.concurrent.ConcurrentLinkedQueue<>();
        /** When each task ended, by its index. */
        private final Map<Integer, Instant> endedAt = new ConcurrentHashMap<>();

        StatusWatch(Properties clientProps, String prefix) {
            this.prefix = prefix;
            // A broker restart is one of the faults: the reader waits it out like the services.
            reader = TopicReader.open(clientProps, "chaos-status-watch", List.of(Topics.TASK_STATUS.name()),
                    TopicReader.Start.beginning()).follow("chaos-status-watch", this::observe);
        }

        private void observe(ConsumerRecord<String, byte[]> record) {
            TaskStatus status = parse(Topics.TASK_STATUS, record);
            if (status == null || !status.taskId().startsWith(prefix)) {
                return;
            }
            int index;
            try {
                index = Integer.parseInt(status.taskId().substring(prefix.length()));
            } catch (NumberFormatException e) {
                return;
            }
            if (status.state() == TaskState.CLAIMED) {
                held.put(status.node(), new Claim(status.taskId(), status.attempt(), status.at()));
            } else if (status.state().terminal() || status.state() == TaskState.INTERRUPTED) {
                held.computeIfPresent(status.node(), (node, claim) -> claim.taskId().equals(status.taskId()) ? null : claim);
            }
            if (status.state().terminal()) {
                terminal.put(status.taskId(), index);
                ended.add(status.at());
                endedAt.putIfAbsent(index, status.at());
            }
        }

        /** How many tasks numbered {@code from} or later reached a terminal state. */
        long terminalFrom(int from) {
            return terminal.values().stream().filter(i -> i >= from).count();
        }

        /**
         * The longest time between {@code from} and {@code to} in which no task ended (from {@code from}
         * to the first that did, then between one and the next): how long the task path stood still.
         */
        Duration longestGap(Instant from, Instant to) {
            List<Instant> times = ended.stream().filter(t -> !t.isBefore(from) && !t.isAfter(to)).sorted().toList();
            Duration longest = Duration.ZERO;
            Instant previous = from;
            for (Instant t : times) {
                Duration gap = Duration.between(previous, t);
                longest = gap.compareTo(longest) > 0 ? gap : longest;
                previous = t;
            }
            return times.isEmpty() ? Duration.between(from, to) : longest;
        }

        /** When the first task numbered {@code from} or later ended, if one did. */
        Optional<Instant> firstEndedFrom(int from) {
            return endedAt.entrySet().stream().filter(e -> e.getKey() >= from).map(Map.Entry::getValue)
                    .min(Instant::compareTo);
        }

        /** Those of {@code taskIds} without a terminal state yet. */
        List<String> open(Collection<String> taskIds) {
            return taskIds.stream().filter(id -> !terminal.containsKey(id)).toList();
        }

        /** The task {@code node} has held for at least {@code atLeast}, if it is one of {@code tasks}. */
        Optional<Claim> holding(String node, Predicate<String> tasks, Duration atLeast) {
            Claim claim = held.get(node);
            return claim != null && tasks.test(claim.taskId()) && claim.at().plus(atLeast).isBefore(Instant.now())
                    ? Optional.of(claim) : Optional.empty();
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}
