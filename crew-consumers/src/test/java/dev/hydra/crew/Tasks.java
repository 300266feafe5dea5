package dev.hydra.crew;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

/** Test tasks and how they reach a crew lane (as the router would put them there, signed). */
final class Tasks {
    private Tasks() {
    }

    static Task restart(String service, int priority) {
        return new Task(UUID.randomUUID().toString(), "infrastructure", priority, 80, "Fix failed service: " + service,
                Crew.INFRASTRUCTURE, Map.of("action", "restart_service", "service", service),
                List.of("service:" + service), List.of(), "test", Instant.now());
    }

    static Task of(Crew crew, int priority, Map<String, Object> body, String description) {
        return new Task(UUID.randomUUID().toString(), crew.wireName(), priority, 50, description, crew, body,
                List.of(), List.of(), "test", Instant.now());
    }

    static RecordMetadata submit(EventProducer producer, Task task, int attempt) throws Exception {
        return send(producer, task, attempt).get();
    }

    /** Sends without waiting, for backlogs; flush the producer to wait for all of them. */
    static Future<RecordMetadata> send(EventProducer producer, Task task, int attempt) {
        Topic<Task> lane = Topics.crewLane(task.crew(), task.priority());
        Headers headers = TestSigning.signed(EventHeaders.of(lane, task.id()), task);
        headers.add(CrewWorker.ATTEMPT_HEADER, Integer.toString(attempt).getBytes(StandardCharsets.UTF_8));
        return producer.sendRaw(new ProducerRecord<>(lane.name(), null, task.id().getBytes(StandardCharsets.UTF_8),
                lane.valueSerde().serialize(lane.name(), task), headers));
    }

    static RecordMetadata submit(EventProducer producer, Task task) throws Exception {
        return submit(producer, task, 1);
    }
}
