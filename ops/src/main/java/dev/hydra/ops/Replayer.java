package dev.hydra.ops;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Topic;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.signing.WriterSigner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

/**
 * Re-drives a time range of retained tasks or tool calls into the pipeline's entrance under a new
 * run id: each copy gets the id {@code <run>:<original id>}, a {@link Replay} naming the run and the
 * original, and a {@code hydra-run-id} header. The constitution, router and crews then treat the
 * copies as they would treat the traffic today; in a dry run no side effect is executed and results
 * go to {@code hydra.replay.results}. Copies made by an earlier replay are not replayed again.
 */
final class Replayer {
    static final String RUN_ID_HEADER = "hydra-run-id";

    /** Where the items of a source topic re-enter the pipeline. */
    record Route<T>(Topic<T> source, Topic<T> entrance, Function<T, String> id, Function<T, Replay> replayOf,
                    Replayed<T> copy, Function<T, String> key, Function<T, String> correlation) {
    }

    @FunctionalInterface
    interface Replayed<T> {
        T copy(T item, String newId, Replay run, Instant at);
    }

    /** What a replay did. */
    record Summary(String runId, boolean dryRun, String source, String entrance, int replayed, int malformed,
                   int earlierReplays) {
    }

    /** Every topic a replay can read, and where its items go. */
    static List<Route<?>> routes() {
        List<Route<?>> routes = new ArrayList<>();
        Stream.concat(Stream.of(Topics.TASKS_PROPOSED, Topics.TASKS_APPROVED, Topics.TASKS_REJECTED),
                Topics.all().stream().filter(t -> t.name().startsWith("hydra.crew.") && !t.equals(Topics.CREW_NODES))
                        .map(Replayer::asTaskTopic))
                .forEach(topic -> routes.add(new Route<>(topic, Topics.TASKS_PROPOSED, Task::id, Task::replay,
                        Task::replayed, Task::id, Task::id)));
        for (Topic<ToolCall> topic : List.of(Topics.TOOLCALLS_REQUESTED, Topics.TOOLCALLS_APPROVED)) {
            routes.add(new Route<>(topic, Topics.TOOLCALLS_REQUESTED, ToolCall::id, ToolCall::replay,
                    ToolCall::replayed, ToolCall::id, ToolCall::taskId));
        }
        return routes;
    }

    @SuppressWarnings("unchecked")
    private static Topic<Task> asTaskTopic(Topic<?> lane) {
        return (Topic<Task>) lane;
    }

    /** The route for {@code topic}, or an error naming the topics a replay can read. */
    static Route<?> route(String topic) {
        return routes().stream().filter(r -> r.source().name().equals(topic)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--topic must be one of "
                        + routes().stream().map(r -> r.source().name()).toList() + ", was '" + topic + "'"));
    }

    /** A run id for now: {@code replay-20261201T213000Z}. */
    static String newRunId(Instant now) {
        return "replay-" + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString().replace("-", "")
                .replace(":", "");
    }

    /** @param signer signs the copies when the entrance's records name a crew (tool calls: the operator's key), else null */
    static <T> Summary replay(Properties client, Route<T> route, Instant from, Optional<Instant> to, boolean dryRun,
                              String runId, Duration timeout, WriterSigner signer) throws Exception {
        int[] counts = new int[3];
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (EventProducer producer = new EventProducer(client, "hydra-replay-" + runId)) {
            TopicReader.read(client, route.source().name(), Optional.of(from), to, timeout, record -> {
                T item = parse(route.source(), record);
                if (item == null) {
                    counts[1]++;
                } else if (route.replayOf().apply(item) != null) {
                    counts[2]++;
                } else {
                    String originalId = route.id().apply(item);
                    T copy = route.copy().copy(item, runId + ":" + originalId, new Replay(runId, originalId, dryRun),
                            Instant.now());
                    sent.add(producer.sendRaw(record(route, copy, runId, signer)));
                    counts[0]++;
                }
                return true;
            });
            producer.flush();
            for (Future<RecordMetadata> each : sent) {
                each.get();
            }
        }
        return new Summary(runId, dryRun, route.source().name(), route.entrance().name(), counts[0], counts[1],
                counts[2]);
    }

    private static <T> T parse(Topic<T> topic, ConsumerRecord<String, byte[]> record) {
        try {
            return record.value() == null ? null : topic.valueSerde().deserialize(topic.name(), record.value());
        } catch (RuntimeException malformed) {
            return null; // dead-lettered when it was first read; nothing to re-drive
        }
    }

    private static <T> ProducerRecord<byte[], byte[]> record(Route<T> route, T copy, String runId, WriterSigner signer) {
        Topic<T> entrance = route.entrance();
        String id = route.id().apply(copy);
        Headers headers = EventHeaders.of(entrance, route.correlation().apply(copy));
        headers.add(RUN_ID_HEADER, runId.getBytes(StandardCharsets.UTF_8));
        if (WriterSigner.signs(entrance.name())) {
            if (signer == null) {
                throw new IllegalArgumentException("a replay into " + entrance.name() + " needs the operator's key");
            }
            signer.signed(headers, entrance.name(), route.key().apply(copy), copy);
        }
        return new ProducerRecord<>(entrance.name(), null, route.key().apply(copy).getBytes(StandardCharsets.UTF_8),
                entrance.valueSerde().serialize(entrance.name(), copy), headers);
    }

    private Replayer() {
    }
}
