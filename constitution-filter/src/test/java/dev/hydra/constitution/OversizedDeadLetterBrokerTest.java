package dev.hydra.constitution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hydra.tasks.proposed is open to outside producers, and the broker takes records up to 16 MiB. A
 * value that does not parse goes to hydra.dlq with the original bytes and headers plus a few headers
 * naming where it came from: a value or a header that already fills the broker's limit made a dead
 * letter the broker refuses (RecordTooLargeException), the stream thread was replaced on it again and
 * again, and after ten replacements the filter shut down: one record stopped the pipeline's entrance.
 * On the filter of a real broker with the stack's 16 MiB limit.
 */
class OversizedDeadLetterBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int LIMIT = 16 * 1024 * 1024;
    private static KafkaTestCluster cluster;
    private static ConstitutionFilter filter;
    private static EventProducer producer;

    @BeforeAll
    static void start(@TempDir Path dir) {
        cluster = BrokerFixture.cluster();
        filter = new ConstitutionFilter(BrokerFixture.config(dir), BrokerFixture.clientProps(cluster),
                dir.resolve("state"), TestSigning.signer(), TestSigning.writerVerifier());
        filter.start();
        producer = new EventProducer(cluster.clientProps(), "oversized-test");
        await().atMost(WAIT).until(() -> filter.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (filter != null) {
            filter.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aValueOrHeaderAtTheBrokersLimitIsDeadLetteredAndTheNextTaskStillFlows() throws Exception {
        byte[] hugeValue = new byte[LIMIT - 300];
        Arrays.fill(hugeValue, (byte) 'x');
        producer.sendRaw(new ProducerRecord<>(Topics.TASKS_PROPOSED.name(), 0,
                "huge-value".getBytes(StandardCharsets.UTF_8), hugeValue, new RecordHeaders())).get();

        RecordHeaders hugeHeader = new RecordHeaders();
        byte[] padding = new byte[LIMIT - 400];
        Arrays.fill(padding, (byte) 'h');
        hugeHeader.add("padding", padding);
        producer.sendRaw(new ProducerRecord<>(Topics.TASKS_PROPOSED.name(), 0,
                "huge-header".getBytes(StandardCharsets.UTF_8), "{\"priority\": ".getBytes(StandardCharsets.UTF_8),
                hugeHeader)).get();

        // A call the rules allow, whose approved copy (with the signature header) and audit would not fit.
        int room = LIMIT - 300;
        var probe = FilterDriver.toolCall("huge-call", "filesystem-mcp", "write_file",
                java.util.Map.of("path", "/workspace/big.txt", "content", ""));
        int overhead = Topics.TOOL_CALL.serialize("", probe).length;
        var bigCall = FilterDriver.toolCall("huge-call", "filesystem-mcp", "write_file",
                java.util.Map.of("path", "/workspace/big.txt", "content", "c".repeat(room - overhead)));
        producer.sendRaw(new ProducerRecord<>(Topics.TOOLCALLS_REQUESTED.name(), 0,
                bigCall.id().getBytes(StandardCharsets.UTF_8), Topics.TOOL_CALL.serialize("", bigCall),
                // only the crew's signature (~170 bytes): the record still fits, its approved copy does not
                TestSigning.crewSigner(bigCall.crew()).signed(new RecordHeaders(), Topics.TOOLCALLS_REQUESTED.name(),
                        bigCall.id(), bigCall))).get();
        var smallCall = FilterDriver.harmlessToolCall("after-huge-call");
        producer.sendRaw(new ProducerRecord<>(Topics.TOOLCALLS_REQUESTED.name(), 0,
                smallCall.id().getBytes(StandardCharsets.UTF_8), Topics.TOOL_CALL.serialize("", smallCall),
                TestSigning.writerSigned(smallCall.crew().wireName(), Topics.TOOLCALLS_REQUESTED, smallCall.id(), smallCall))).get();

        var task = FilterDriver.harmlessTask("after-huge");
        producer.sendRaw(new ProducerRecord<>(Topics.TASKS_PROPOSED.name(), 0,
                task.id().getBytes(StandardCharsets.UTF_8), Topics.TASK.serialize("", task), new RecordHeaders())).get();

        await().atMost(WAIT).until(() -> !filter.healthy()
                || BrokerFixture.committed(cluster, Topics.TASKS_APPROVED).stream().anyMatch(r -> r.key().equals(task.id())));
        await().atMost(WAIT).until(() -> !filter.healthy() || BrokerFixture.committed(cluster, Topics.TOOLCALLS_APPROVED)
                .stream().anyMatch(r -> r.key().equals(smallCall.id())));
        assertThat(filter.healthy()).as("the filter after three records at the size limit").isTrue();
        assertThat(BrokerFixture.committed(cluster, Topics.TOOLCALLS_APPROVED)).extracting(ConsumerRecord::key)
                .doesNotContain(bigCall.id());
        List<ConsumerRecord<String, byte[]>> dead = BrokerFixture.rawCommitted(cluster, Topics.DLQ.name());
        assertThat(dead).extracting(ConsumerRecord::key).contains("huge-value", "huge-header", bigCall.id());
        assertThat(DeadLetters.header(dead.stream().filter(r -> r.key().equals(bigCall.id())).findFirst().orElseThrow()
                .headers(), DeadLetters.ERROR)).contains("at most " + DeadLetters.MAX_INPUT_BYTES + " are taken");
        ConsumerRecord<String, byte[]> value = dead.stream().filter(r -> r.key().equals("huge-value")).findFirst().orElseThrow();
        assertThat(DeadLetters.header(value.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(Topics.TASKS_PROPOSED.name());
        assertThat(DeadLetters.header(value.headers(), DeadLetters.TRUNCATED)).isEqualTo(Integer.toString(hugeValue.length));
        assertThat(value.value().length).isLessThan(hugeValue.length);
        ConsumerRecord<String, byte[]> header = dead.stream().filter(r -> r.key().equals("huge-header")).findFirst().orElseThrow();
        assertThat(header.value()).isEqualTo("{\"priority\": ".getBytes(StandardCharsets.UTF_8));
        assertThat(header.headers().lastHeader("padding")).isNull();
        assertThat(DeadLetters.header(header.headers(), DeadLetters.DROPPED_HEADERS)).contains("padding");
    }
}
