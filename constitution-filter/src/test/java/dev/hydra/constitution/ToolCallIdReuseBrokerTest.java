package dev.hydra.constitution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalStatus;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool call id names one call: the executor runs an id once (its journal replays what it ran under
 * it) and an agent takes the first result under its call's id as the answer. Anyone who may write
 * hydra.toolcalls.requested (every crew, the console's logins, the CLI) can learn a parked call's id
 * (the approval queue shows it; an agent's ids are computed from task, attempt and sequence) and
 * propose a harmless call under it: the filter used to allow and sign it, so its output answered the
 * parked call and, once the parked call was approved, the executor replayed that output instead of
 * running it. On the filter of a real broker.
 */
class ToolCallIdReuseBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static KafkaTestCluster cluster;
    private static ConstitutionFilter filter;
    private static EventProducer producer;

    @BeforeAll
    static void start(@TempDir Path dir) {
        cluster = BrokerFixture.cluster();
        filter = new ConstitutionFilter(BrokerFixture.config(dir), BrokerFixture.clientProps(cluster),
                dir.resolve("state"), TestSigning.signer(), TestSigning.writerVerifier());
        filter.start();
        producer = new EventProducer(cluster.clientProps(), "id-reuse-test",
                TestSigning.writerSigner(dev.hydra.topics.signing.WriterSignature.OPERATOR));
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

    private static void request(ToolCall call) {
        producer.send(Topics.TOOLCALLS_REQUESTED, call.id(), call, call.taskId());
        producer.flush();
    }

    @Test
    void aHarmlessCallUnderTheIdOfAParkedCallIsDeadLetteredNotAllowedRunOrAnswered() {
        ToolCall parked = FilterDriver.dropDatabaseToolCall("reuse-parked");
        request(parked);
        await().atMost(WAIT).until(() -> BrokerFixture.committed(cluster, Topics.APPROVAL_REQUESTS).stream()
                .anyMatch(r -> r.value().subjectId().equals(parked.id()) && r.value().status() == ApprovalStatus.PENDING));

        ToolCall squatter = FilterDriver.harmlessToolCall(parked.id()); // same id, a call the rules allow
        request(squatter);
        ToolCall sentinel = FilterDriver.harmlessToolCall("reuse-sentinel");
        request(sentinel);
        await().atMost(WAIT).until(() -> BrokerFixture.committed(cluster, Topics.TOOLCALLS_APPROVED).stream()
                .anyMatch(r -> r.key().equals(sentinel.id())));

        assertThat(BrokerFixture.committed(cluster, Topics.TOOLCALLS_APPROVED)).extracting(ConsumerRecord::key)
                .as("released under the parked call's id").doesNotContain(parked.id());
        assertThat(BrokerFixture.committed(cluster, Topics.TOOLCALLS_RESULTS)).extracting(ConsumerRecord::key)
                .as("an answer under the parked call's id").doesNotContain(parked.id());
        List<ConsumerRecord<String, byte[]>> dead = BrokerFixture.rawCommitted(cluster, Topics.DLQ.name()).stream()
                .filter(r -> parked.id().equals(r.key())).toList();
        assertThat(dead).hasSize(1);
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.ERROR))
                .contains("tool call id 'reuse-parked' was already ruled on for other content");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_TOPIC))
                .isEqualTo(Topics.TOOLCALLS_REQUESTED.name());
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).contains("read_file");
        assertThat(filter.healthy()).isTrue();
    }

    @Test
    void theSameCallSentAgainIsRuledOnAgainAndSignedAlike() {
        ToolCall call = FilterDriver.toolCall("reuse-again", "filesystem-mcp", "read_file",
                Map.of("path", "/workspace/README.md"));
        request(call);
        request(call);

        await().atMost(WAIT).until(() -> BrokerFixture.committed(cluster, Topics.TOOLCALLS_APPROVED).stream()
                .filter(r -> r.key().equals(call.id())).count() == 2);
        assertThat(BrokerFixture.rawCommitted(cluster, Topics.DLQ.name())).extracting(ConsumerRecord::key)
                .doesNotContain(call.id());
    }
}
