package dev.hydra.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.topics.Json;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hydra tail}: events of a topic as JSON lines, with position, key and headers. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints the events of TOPIC as JSON lines (topic, partition, offset, timestamp, key, headers, value).")
final class TailCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Parameters(paramLabel = "TOPIC", description = "e.g. hydra.tasks.proposed, hydra.audit, hydra.dlq")
    String topic;

    @Option(names = {"-b", "--from-beginning"}, description = "start at the oldest retained event instead of new ones")
    boolean fromBeginning;

    @Option(names = {"-n", "--max"}, description = "stop after this many events")
    Long max;

    @Option(names = "--idle-timeout", description = "stop when nothing arrives for this long, e.g. 5s (default: run until Ctrl-C)")
    Duration idleTimeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Properties props = connection.clientProps();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "hydra-tail-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        PrintWriter out = spec.commandLine().getOut();
        long printed = 0;
        Instant lastEvent = Instant.now();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (max == null || printed < max) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : records) {
                    out.println(Json.write(line(record)));
                    lastEvent = Instant.now();
                    if (max != null && ++printed >= max) {
                        break;
                    }
                }
                out.flush();
                if (idleTimeout != null && Duration.between(lastEvent, Instant.now()).compareTo(idleTimeout) > 0) {
                    break;
                }
            }
        }
        return 0;
    }

    static ObjectNode line(ConsumerRecord<String, byte[]> record) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("topic", record.topic()).put("partition", record.partition()).put("offset", record.offset())
                .put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString()).put("key", record.key());
        ObjectNode headers = line.putObject("headers");
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        if (record.value() == null) {
            line.putNull("value");
        } else {
            String text = new String(record.value(), StandardCharsets.UTF_8);
            try {
                line.set("value", Json.MAPPER.readTree(text));
            } catch (Exception notJson) {
                // Dead letters are often not JSON: show them as text.
                line.put("value", text);
            }
        }
        return line;
    }
}
