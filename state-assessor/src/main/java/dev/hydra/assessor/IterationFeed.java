package dev.hydra.assessor;

import dev.hydra.assessor.rules.IterationLog;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Feeds the {@link IterationLog} from Kafka: every result on {@code hydra.tasks.results} from the
 * assessor's start on, and the parked items of the compacted {@code hydra.approvals.requests} (read
 * whole), whose PENDING ones are the approvals an iteration report says are waiting.
 */
final class IterationFeed implements AutoCloseable {
    private final IterationLog log;
    private final Map<String, ApprovalStatus> approvals = new ConcurrentHashMap<>();
    private final TopicReader results;
    private final TopicReader requests;

    private final java.util.function.Consumer<String> ended;

    /** @param ended told the task id of every result read (its task ended) */
    IterationFeed(Properties clientProps, Instant start, java.util.function.Consumer<String> ended) {
        this.ended = ended;
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
