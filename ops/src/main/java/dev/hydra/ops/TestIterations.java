package dev.hydra.ops;

import dev.hydra.assessor.StateAssessor;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.StateSnapshot;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.WriterVerifier;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The seed's test mode ({@code hydra up --test --iterations N}): N assessment iterations, one at a
 * time; each waits until the work it proposed has settled (denied, parked for a person, or run to an
 * end) and prints its report: proposed, allowed, parked, denied, completed, failed, tokens.
 * A status or a result counts only when its writer signature verifies ({@link WriterVerifier}): any
 * crew's principal may write both topics, and a forged COMPLETED would settle another crew's task.
 */
final class TestIterations implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TestIterations.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** What one iteration produced, as its report line says it. */
    record Report(int iteration, int proposed, int allowed, int parked, int denied, int completed, int failed,
                  int unsettled, long tokens, Duration took) {
        String line() {
            return String.format("iteration %d: proposed %d, allowed %d, parked %d, denied %d, completed %d, failed %d, "
                            + "tokens %d (%.1f s)%s", iteration, proposed, allowed, parked, denied, completed, failed,
                    tokens, took.toMillis() / 1000.0, unsettled == 0 ? "" : "; still running after the wait: " + unsettled);
        }
    }

    private final StateAssessor assessor;
    private final TopicReader fresh;
    private final TopicReader statuses;
    private final Map<String, Task> proposed = new HashMap<>();
    private final Map<String, Decision> verdicts = new HashMap<>();
    private final Map<String, TaskState> ended = new HashMap<>();
    private final Map<String, Long> tokens = new HashMap<>();
    private final WriterVerifier writers;

    TestIterations(StateAssessor assessor, Properties clientProps, WriterVerifier writers) {
        this.assessor = assessor;
        this.writers = java.util.Objects.requireNonNull(writers, "writers");
        fresh = TopicReader.open(clientProps, "hydra-test-mode", List.of(Topics.TASKS_PROPOSED.name(),
                Topics.AUDIT.name(), Topics.TASK_RESULTS.name()), TopicReader.Start.end());
        // Statuses from the start: a task the assessor proposes again may have ended before this run began.
        statuses = TopicReader.open(clientProps, "hydra-test-mode-status", List.of(Topics.TASK_STATUS.name()),
                TopicReader.Start.beginning());
    }

    /** Runs {@code iterations} iterations, each waiting at most {@code patience} for its work; prints each report. */
    List<Report> run(int iterations, Duration patience, PrintWriter out) throws Exception {
        List<Report> reports = new java.util.ArrayList<>();
        for (int i = 1; i <= iterations; i++) {
            long start = System.nanoTime();
            StateSnapshot snapshot = assessor.assessNow().toCompletableFuture().get(5, TimeUnit.MINUTES);
            out.println("iteration " + i + ": " + snapshot.summary());
            out.flush();
            Set<String> mine = new LinkedHashSet<>();
            long deadline = System.nanoTime() + patience.toNanos();
            // the snapshot's tasks carry its time: they are on the topic once assessNow has completed
            while (true) {
                fresh.catchUp(READ_TIMEOUT, this::see);
                statuses.catchUp(READ_TIMEOUT, this::see);
                proposed.values().stream().filter(t -> t.createdAt().equals(snapshot.at())).map(Task::id)
                        .forEach(mine::add);
                if (settled(mine) || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(200);
            }
            Report report = report(i, mine, Duration.ofNanos(System.nanoTime() - start));
            reports.add(report);
            out.println(report.line());
            out.flush();
        }
        return reports;
    }

    private boolean settled(Set<String> tasks) {
        return tasks.stream().allMatch(this::settled);
    }

    private boolean settled(String task) {
        Decision verdict = verdicts.get(task);
        return verdict == Decision.DENY || verdict == Decision.NEEDS_APPROVAL || ended.containsKey(task);
    }

    private Report report(int iteration, Set<String> tasks, Duration took) {
        int allowed = 0;
        int parked = 0;
        int denied = 0;
        int completed = 0;
        int failed = 0;
        int unsettled = 0;
        long used = 0;
        for (String task : tasks) {
            Decision verdict = verdicts.get(task);
            allowed += verdict == Decision.ALLOW ? 1 : 0;
            parked += verdict == Decision.NEEDS_APPROVAL ? 1 : 0;
            denied += verdict == Decision.DENY ? 1 : 0;
            TaskState end = ended.get(task);
            completed += end == TaskState.COMPLETED ? 1 : 0;
            failed += end == TaskState.FAILED || end == TaskState.REFUSED ? 1 : 0;
            unsettled += settled(task) ? 0 : 1;
            used += tokens.getOrDefault(task, 0L);
        }
        return new Report(iteration, tasks.size(), allowed, parked, denied, completed, failed, unsettled, used, took);
    }

    /** One record of the run; a malformed one (the pipeline dead-letters it) is skipped by the reader. */
    private void see(ConsumerRecord<String, byte[]> r) {
        if (r.topic().equals(Topics.TASKS_PROPOSED.name())) {
            Task task = Topics.TASKS_PROPOSED.valueSerde().deserialize(r.topic(), r.value());
            proposed.put(task.id(), task);
        } else if (r.topic().equals(Topics.AUDIT.name())) {
            AuditRecord audit = Topics.AUDIT.valueSerde().deserialize(r.topic(), r.value());
            if (audit.subjectKind() == SubjectKind.TASK && "verdict".equals(audit.action())) {
                verdicts.put(audit.subjectId(), audit.verdict());
            }
        } else if (r.topic().equals(Topics.TASK_STATUS.name())) {
            TaskStatus status = Topics.TASK_STATUS.valueSerde().deserialize(r.topic(), r.value());
            if (status == null || !verified(r, status)) {
                return;
            }
            if (status.state().terminal()) {
                ended.put(status.taskId(), status.state());
            }
        } else {
            TaskResult result = Topics.TASK_RESULTS.valueSerde().deserialize(r.topic(), r.value());
            if (result == null || !verified(r, result)) {
                return;
            }
            tokens.merge(result.taskId(), result.tokens(), Long::sum);
        }
    }

    private boolean verified(ConsumerRecord<String, byte[]> r, Object value) {
        var refusal = writers.refusal(r.topic(), r.key(), r.headers(), value);
        refusal.ifPresent(why -> LOG.warn("{}-{}@{} not counted in the test-mode report: {}", r.topic(), r.partition(),
                r.offset(), why));
        return refusal.isEmpty();
    }

    @Override
    public void close() {
        fresh.close();
        statuses.close();
    }
}
