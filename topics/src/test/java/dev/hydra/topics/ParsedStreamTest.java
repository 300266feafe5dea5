package dev.hydra.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Task;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

class ParsedStreamTest {
    /** Proposed tasks parsed (as every topology parses them) straight into hydra.tasks.approved. */
    private record Pipe(TopologyTestDriver driver, TestInputTopic<String, byte[]> in, TestOutputTopic<String, byte[]> dlq,
                        TestOutputTopic<String, Task> approved) implements AutoCloseable {
        static Pipe start() {
            StreamsBuilder builder = new StreamsBuilder();
            ParsedStream.from(builder, Topics.TASKS_PROPOSED, "test-app")
                    .to(Topics.TASKS_APPROVED.name(), Produced.with(Topics.TASKS_APPROVED.keySerde(), Topics.TASK));
            Properties props = new Properties();
            props.put("application.id", "parsed-stream-test");
            props.put("bootstrap.servers", "unused:9092");
            TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props);
            return new Pipe(driver,
                    driver.createInputTopic(Topics.TASKS_PROPOSED.name(), new StringSerializer(), new ByteArraySerializer()),
                    driver.createOutputTopic(Topics.DLQ.name(), new StringDeserializer(), new ByteArrayDeserializer()),
                    driver.createOutputTopic(Topics.TASKS_APPROVED.name(), new StringDeserializer(), Topics.TASK));
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    @Test
    void poisonPillGoesToTheDlqWithItsPositionAndTheNextGoodValueStillFlows() {
        try (Pipe pipe = Pipe.start()) {
            var in = pipe.in();
            var dlq = pipe.dlq();
            var approved = pipe.approved();

            in.pipeInput("bad", "{\"priority\": 1, \"descr".getBytes(StandardCharsets.UTF_8));
            in.pipeInput("good", """
                    {"priority": 2, "description": "d", "crew": "development",
                     "task": {"action": "complete_feature", "feature": "x"}}""".getBytes(StandardCharsets.UTF_8));

            TestRecord<String, byte[]> dead = dlq.readRecord();
            assertThat(dead.key()).isEqualTo("bad");
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{\"priority\": 1, \"descr");
            assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("hydra.tasks.proposed");
            assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
            assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
            assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR)).contains("not JSON");
            assertThat(DeadLetters.header(dead.headers(), DeadLetters.FAILED_BY)).isEqualTo("test-app");
            assertThat(dlq.isEmpty()).isTrue();
            assertThat(approved.readValue().action()).isEqualTo("complete_feature");
        }
    }

    @Test
    void aKcatKeyBecomesTheIdOfATaskWithoutOneAndAContradictingKeyIsDeadLetteredWithTheReason() {
        double deadBefore = DeadLetters.DEAD_LETTERED.labels("test-app", "hydra.tasks.proposed").get();
        try (Pipe pipe = Pipe.start()) {
            var in = pipe.in();
            var dlq = pipe.dlq();
            var approved = pipe.approved();
            String body = """
                    {%s"priority": 2, "description": "d", "crew": "development",
                     "task": {"action": "complete_feature", "feature": "x"}}""";

            in.pipeInput("my-task-1", body.formatted("").getBytes(StandardCharsets.UTF_8));
            in.pipeInput("my-task-2", body.formatted("\"id\": \"other\", ").getBytes(StandardCharsets.UTF_8));
            in.pipeInput("same", body.formatted("\"id\": \"same\", \"source\": \"n8n\", ").getBytes(StandardCharsets.UTF_8));

            Task keyed = approved.readValue();
            assertThat(keyed.id()).isEqualTo("my-task-1");
            assertThat(keyed.source()).isEqualTo("kafka");
            assertThat(approved.readValue()).satisfies(t -> {
                assertThat(t.id()).isEqualTo("same");
                assertThat(t.source()).isEqualTo("n8n");
            });
            TestRecord<String, byte[]> dead = dlq.readRecord();
            assertThat(dead.key()).isEqualTo("my-task-2");
            assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR))
                    .contains("record key 'my-task-2'").contains("id 'other'").contains("differ");
            assertThat(DeadLetters.DEAD_LETTERED.labels("test-app", "hydra.tasks.proposed").get()).isEqualTo(deadBefore + 1);
        }
    }
}
