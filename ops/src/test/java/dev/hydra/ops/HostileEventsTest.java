package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.constitution.ConstitutionFilter;
import dev.hydra.constitution.FilterSettings;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topic;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostileEventsTest {
    @Test
    void everyHostileEventIsRefusedByTheSerdeOfItsTopic() {
        Random random = new Random(7);
        // 10 MB ones at 250 and 2,750; the rest of the first 600 cover every kind and spoiled field.
        IntStream.concat(IntStream.range(0, 600), IntStream.of(2_750)).forEach(n -> {
            HostileEvents.Event event = HostileEvents.next(random, n, "hostile-" + n);
            assertThatThrownBy(() -> {
                if (event.topic().valueSerde().deserialize(event.topic().name(), event.value()) == null) {
                    throw new InvalidEventException("null");
                }
            }).as("hostile event %d (%s on %s)", n, event.kind(), event.topic().name())
                    .isInstanceOf(InvalidEventException.class);
        });
    }

    @Test
    void coversEveryKindOnEveryEntranceTopic() {
        Random random = new Random(7);
        Map<String, Set<HostileEvents.Kind>> kinds = new HashMap<>();
        for (int n = 0; n < 600; n++) {
            HostileEvents.Event event = HostileEvents.next(random, n, "hostile-" + n);
            kinds.computeIfAbsent(event.topic().name(), t -> EnumSet.noneOf(HostileEvents.Kind.class)).add(event.kind());
        }
        Set<HostileEvents.Kind> all = EnumSet.allOf(HostileEvents.Kind.class);
        Set<HostileEvents.Kind> noTenMb = EnumSet.complementOf(EnumSet.of(HostileEvents.Kind.TEN_MEGABYTES));
        Set<HostileEvents.Kind> noEnum = EnumSet.copyOf(noTenMb);
        noEnum.remove(HostileEvents.Kind.UNKNOWN_ENUM);
        assertThat(kinds).containsOnlyKeys(name(Topics.TASKS_PROPOSED), name(Topics.TOOLCALLS_REQUESTED),
                name(Topics.APPROVAL_DECISIONS));
        assertThat(kinds.get(name(Topics.TASKS_PROPOSED))).isEqualTo(noTenMb);
        assertThat(kinds.get(name(Topics.TOOLCALLS_REQUESTED))).isEqualTo(all);
        assertThat(kinds.get(name(Topics.APPROVAL_DECISIONS))).as("decisions have no enum field").isEqualTo(noEnum);
        assertThat(HostileEvents.next(random, 250, "k").value()).hasSizeGreaterThanOrEqualTo(10 * 1024 * 1024);
    }

    @TempDir
    Path dataDir;

    /**
     * The real filter on a real broker, fed every pathological tool call as the chaos suite feeds them,
     * each followed by a harmless call: each pathological call gets one verdict (parked with a reason
     * that is not an error, or denied), none is approved or dead-lettered, and every harmless call after
     * one is still approved, so the stream never stopped.
     */
    @Test
    void theRealFilterGivesEveryPathologicalToolCallAVerdictAndGoesOn() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dataDir.resolve("broker"))) {
            // the broker is secured: the filter runs as its own principal, the test reads and writes as admin
            HydraConfig credentials = HydraConfig.of("{}", Map.of("HYDRA_DATA_DIR", dataDir.resolve("broker").toString()));
            Properties client = KafkaSettings.client(credentials, broker.bootstrap(), Principal.ADMIN);
            Properties filterClient = KafkaSettings.client(credentials, broker.bootstrap(), Principal.CONSTITUTION);
            try (Admin admin = Admin.create(client)) {
                new TopicBootstrap(admin, (short) 1).ensure(Topics.all());
            }
            HydraConfig config = HydraConfig.of("kafka:\n  bootstrap: " + broker.bootstrap() + "\n",
                    Map.of("HYDRA_CONSTITUTION", Path.of("../config/constitution.yaml").toAbsolutePath().normalize()
                            .toString()));
            int count = HostileEvents.pathologicalCount();
            Set<String> harmless = new HashSet<>();
            try (ConstitutionFilter filter = new ConstitutionFilter(config, filterClient, dataDir.resolve("state"),
                    FilterSettings.signer(config, dataDir), TestSigning.writerVerifier());
                 EventProducer producer = new EventProducer(client, "hostile-test", TestSigning.asTheCrewNamed())) {
                filter.start();
                for (int n = 0; n < count; n++) {
                    String key = "pathological-" + n;
                    byte[] pathological = HostileEvents.pathological(n, key).value();
                    // sent as the chaos harness sends them: the operator's, so each one is judged
                    producer.sendRaw(new ProducerRecord<>(Topics.TOOLCALLS_REQUESTED.name(), null,
                            key.getBytes(StandardCharsets.UTF_8), pathological,
                            TestSigning.writerSigner(dev.hydra.topics.signing.WriterSignature.OPERATOR).signed(
                                    new org.apache.kafka.common.header.internals.RecordHeaders(),
                                    Topics.TOOLCALLS_REQUESTED.name(), key, Topics.TOOLCALLS_REQUESTED.valueSerde()
                                            .deserialize(Topics.TOOLCALLS_REQUESTED.name(), pathological))));
                    String next = "harmless-" + n;
                    harmless.add(next);
                    producer.send(Topics.TOOLCALLS_REQUESTED, next, new ToolCall(next, next, Crew.DEVELOPMENT, "coder",
                            "filesystem-mcp", "read_file", Map.of("path", "/workspace/src/app.py"), List.of(), null), next);
                }
                producer.flush();

                Map<String, List<String>> verdicts = new HashMap<>();
                Set<String> approved = new HashSet<>();
                List<String> dead = new ArrayList<>();
                try (var consumer = KafkaTestCluster.consumer(client, Topics.APPROVAL_REQUESTS.name(),
                        Topics.TOOLCALLS_RESULTS.name(), Topics.TOOLCALLS_APPROVED.name(), Topics.DLQ.name())) {
                    Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> {
                        for (ConsumerRecord<String, byte[]> r : KafkaTestCluster.poll(consumer)) {
                            collect(r, verdicts, approved, dead);
                        }
                        return approved.containsAll(harmless) && verdicts.size() == count;
                    });
                }
                for (int n = 0; n < count; n++) {
                    String key = "pathological-" + n;
                    String name = HostileEvents.pathological(n, key).name();
                    assertThat(verdicts.get(key)).as(name).hasSize(1);
                    assertThat(verdicts.get(key).get(0)).as(name).doesNotContain("Error").doesNotContain("Exception");
                    assertThat(approved).as(name).doesNotContain(key);
                }
                assertThat(dead).isEmpty();
            }
        }
    }

    /** A verdict by the pathological call's id: the parked request's reason, or "denied". */
    private static void collect(ConsumerRecord<String, byte[]> r, Map<String, List<String>> verdicts, Set<String> approved,
                                List<String> dead) {
        if (r.topic().equals(Topics.TOOLCALLS_APPROVED.name())) {
            approved.add(r.key());
        } else if (r.topic().equals(Topics.DLQ.name())) {
            dead.add(r.key());
        } else if (r.topic().equals(Topics.APPROVAL_REQUESTS.name())) {
            ApprovalRequest request = Topics.APPROVAL_REQUESTS.valueSerde().deserialize(r.topic(), r.value());
            if (request.subjectId().startsWith("pathological-")) {
                verdicts.computeIfAbsent(request.subjectId(), k -> new ArrayList<>()).add(request.reason());
            }
        } else {
            ToolResult result = Topics.TOOLCALLS_RESULTS.valueSerde().deserialize(r.topic(), r.value());
            if (result.status() == ToolStatus.DENIED && result.toolCallId().startsWith("pathological-")) {
                verdicts.computeIfAbsent(result.toolCallId(), k -> new ArrayList<>()).add("denied: " + result.output());
            }
        }
    }

    private static String name(Topic<?> topic) {
        return topic.name();
    }
}
