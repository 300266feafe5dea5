package dev.hydra.crew;

import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** What workers reported, read back from the broker: statuses, results and dead letters. */
final class Reports implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    final List<TaskStatus> statuses = new CopyOnWriteArrayList<>();
    final List<TaskResult> results = new CopyOnWriteArrayList<>();
    final List<ConsumerRecord<String, byte[]>> deadLetters = new CopyOnWriteArrayList<>();

    Reports(KafkaTestCluster cluster) {
        consumer = cluster.consumer(Topics.TASK_STATUS.name(), Topics.TASK_RESULTS.name(), Topics.DLQ.name());
    }

    /** Reads what arrived since the last call. */
    Reports poll() {
        for (ConsumerRecord<String, byte[]> record : KafkaTestCluster.poll(consumer)) {
            if (record.topic().equals(Topics.TASK_STATUS.name())) {
                statuses.add(Topics.TASK_STATUS.valueSerde().deserialize(record.topic(), record.value()));
            } else if (record.topic().equals(Topics.TASK_RESULTS.name())) {
                results.add(Topics.TASK_RESULTS.valueSerde().deserialize(record.topic(), record.value()));
            } else {
                deadLetters.add(record);
            }
        }
        return this;
    }

    List<TaskStatus> statusesOf(String taskId) {
        poll();
        return statuses.stream().filter(s -> s.taskId().equals(taskId)).toList();
    }

    List<TaskState> statesOf(String taskId) {
        return statusesOf(taskId).stream().map(TaskStatus::state).toList();
    }

    List<TaskResult> resultsOf(String taskId) {
        poll();
        return results.stream().filter(r -> r.taskId().equals(taskId)).toList();
    }

    /** CLAIMED statuses in the order the workers wrote them. */
    List<TaskStatus> claims() {
        poll();
        List<TaskStatus> claims = new ArrayList<>(statuses.stream().filter(s -> s.state() == TaskState.CLAIMED).toList());
        claims.sort(java.util.Comparator.comparing(TaskStatus::at));
        return claims;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
