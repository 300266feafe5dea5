package dev.hydra.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * A failure after parsing (in the topology downstream) is not a bad value: it must fail the task so
 * that an exactly-once transaction aborts, never send a valid event to the DLQ after part of its
 * outputs were already forwarded.
 */
class ParsedStreamDownstreamFailureTest {
    @Test
    void aDownstreamFailurePropagatesInsteadOfDeadLetteringAValidEvent() {
        StreamsBuilder builder = new StreamsBuilder();
        ParsedStream.from(builder, Topics.TASKS_PROPOSED, "test-app")
                .mapValues(task -> {
                    if (task.description().equals("boom")) {
                        throw new IllegalStateException("downstream bug");
                    }
                    return task;
                })
                .to(Topics.TASKS_APPROVED.name(), Produced.with(Topics.TASKS_APPROVED.keySerde(), Topics.TASK));
        Properties props = new Properties();
        props.put("application.id", "parsed-stream-downstream-test");
        props.put("bootstrap.servers", "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            var in = driver.createInputTopic(Topics.TASKS_PROPOSED.name(), new StringSerializer(),
                    new ByteArraySerializer());
            var dlq = driver.createOutputTopic(Topics.DLQ.name(), new StringDeserializer(), new ByteArrayDeserializer());
            byte[] valid = """
                    {"priority": 2, "description": "boom", "crew": "development",
                     "task": {"action": "complete_feature"}}""".getBytes(StandardCharsets.UTF_8);

            assertThatThrownBy(() -> in.pipeInput("k", valid)).hasRootCauseMessage("downstream bug");
            assertThat(dlq.isEmpty()).isTrue();
        }
    }
}
