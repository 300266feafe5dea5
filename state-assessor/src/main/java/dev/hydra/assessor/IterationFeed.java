package dev.hydra.assessor;

import dev.hydra.assessor.rules.IterationLog;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import dev.hydra.topics.signing.WriterVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link IterationLog} from Kafka: every result on {@code hydra.tasks.results} from the
 * assessor's start on, and the parked items of the compacted {@code hydra.approvals.requests} (read
 * whole), whose PENDING ones are the approvals an iteration report says are waiting.
 *
 * <p>Every crew's principal may write {@code hydra.tasks.results}, and the crew and action of a result
 * are fields of it: a result counts only when its writer signature verifies ({@link WriterVerifier},
 * the check every reader of the topic makes). Any other is ignored with a warning, so one crew cannot
 * fail another crew's action into a self-improvement task, nor end another crew's gap episode.
 */
final class IterationFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IterationFeed.class);
    private final IterationLog log;
    private final Map<String, ApprovalStatus> approvals = new ConcurrentHashMap<>();
    private final TopicReader results;
    private final TopicReader requests;

    private final java.util.function.Consumer<String> ended;
    private final WriterVerifier writers;
    private final java.util.concurrent.atomic.AtomicLong ignored = new java.util.concurrent.atomic.AtomicLong();

    /** @param ended told the task id of every result read (its task ended) */
    IterationFeed(Properties clientProps, Instant start, java.util.function.Consumer<String> ended,
                  WriterVerifier writers) {
        this.ended = ended;
        this.writers = java.util.Objects.requireNonNull(writers, "writers");
        this.log = new IterationLog(UUID.randomUUID().toString().substring(0, 8), start);
        this.results = TopicReader.open(clientProps, "hydra-state-assessor-results",
                List.of(Topics.TASK_RESULTS.name()), TopicReader.Start.end()).follow("assessor-results", this::result);
        this.requests = TopicReader.open(clientProps, "hydra-state-assessor-approvals",
                List.of(Topics.APPROVAL_REQUESTS.name()), TopicReader.Start.beginning())
                .follow("assessor-approvals", this::request);
    }

    private void result(ConsumerRecord<String, byte[]> record) {
        if (record.value() != null) {
            dev.hydra.topics.events.TaskResult result = Topics.TASK_RESULTS.valueSerde().deserialize(record.topic(),
                    record.value());
            Optional<String> refusal = writers.refusal(record.topic(), record.key(), record.headers(), result);
            if (refusal.isPresent()) {
                ignored.incrementAndGet();
                LOG.warn("{}-{}@{}: result of task {} not counted in the iteration reports: {}", record.topic(),
                        record.partition(), record.offset(), result.taskId(), refusal.get());
                return;
            }
            log.add(result);
            ended.accept(result.taskId());
        }
    }

    private void request(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            approvals.remove(record.key());
            return;
        }
        ApprovalRequest request = Topics.APPROVAL_REQUESTS.valueSerde().deserialize(record.topic(), record.value());
        approvals.put(request.id(), request.status());
    }

    /** Waits until what the topics held at the start has been read (results: nothing before the start). */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return requests.awaitCaughtUp(timeout) && results.awaitCaughtUp(timeout);
    }

    /** How many results were not counted because their writer signature did not verify. */
    long ignored() {
        return ignored.get();
    }

    IterationLog log() {
        return log;
    }

    int approvalsWaiting() {
        return (int) approvals.values().stream().filter(status -> status == ApprovalStatus.PENDING).count();
    }

    boolean healthy() {
        return results.healthy() && requests.healthy();
    }

    @Override
    public void close() {
        results.close();
        requests.close();
    }
}
