package dev.hydra.memory;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.memory.CoreBlock;
import dev.hydra.topics.signing.TestSigning;
import dev.hydra.topics.tools.ToolVocabulary;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Agents' memory tools as the memory projector runs them, on a real broker: signed calls on
 * hydra.toolcalls.approved, answers on hydra.toolcalls.results, the blocks on hydra.memory.blocks,
 * refusals on hydra.audit, archival memory embedded with the in-process MiniLM model.
 */
@ExtendWith(TestBroker.class)
class MemoryToolsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    @TempDir
    static Path dataDir;
    static KafkaTestCluster kafka;
    static MemoryProjector projector;
    static EventProducer producer;
    static KafkaConsumer<String, byte[]> observer;
    static final List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        kafka = TestBroker.get();
        projector = new MemoryProjector(HydraConfig.of("memory: {archival: true, changeCapture: false}", Map.of()),
                kafka.clientProps(), dataDir, TestSigning.verifier(), TestSigning.writerVerifier());
        projector.start();
        producer = new EventProducer(kafka.clientProps(), "memory-tools-test", TestSigning.asTheCrewNamed());
        observer = kafka.consumer(Topics.TOOLCALLS_RESULTS.name(), Topics.AUDIT.name(), Topics.DLQ.name(),
                Topics.MEMORY_BLOCKS.name());
    }

    @AfterAll
    static void stop() {
        if (observer != null) {
            observer.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (projector != null) {
            projector.close();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> on(String topic) {
        seen.addAll(KafkaTestCluster.poll(observer));
        return seen.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    private static ToolCall call(Crew crew, String tool, Map<String, Object> arguments) {
        String id = UUID.randomUUID().toString();
        return new ToolCall(id, "task-" + id.substring(0, 8), crew, "agent", ToolVocabulary.MEMORY, tool, arguments,
                List.of(), Instant.now(), null);
    }

    /** Puts the call on hydra.toolcalls.approved, signed as the constitution signs, and waits for its answer. */
    private static ToolResult run(ToolCall call) {
        producer.sendWithHeaders(Topics.TOOLCALLS_APPROVED, call.id(), call,
                TestSigning.signed(EventHeaders.of(Topics.TOOLCALLS_APPROVED, call.taskId()), call));
        producer.flush();
        return answer(call);
    }

    private static ToolResult answer(ToolCall call) {
        return await().atMost(PATIENCE).until(() -> on(Topics.TOOLCALLS_RESULTS.name()).stream()
                .filter(r -> call.id().equals(r.key()))
                .map(r -> Topics.TOOLCALLS_RESULTS.valueSerde().deserialize(r.topic(), r.value()))
                .findFirst().orElse(null), java.util.Objects::nonNull);
    }

    private static String block(String name) {
        return projector.blocks().get(name).content();
    }

    @Test
    void theSeedsBlocksExistFromTheFirstStartEmpty() {
        assertThat(projector.blocks().keySet()).containsAll(CoreBlock.names());
        MemoryBlock development = projector.blocks().get("development_status");
        assertThat(development.content()).isEmpty();
        assertThat(development.writer()).isEqualTo("development");
    }

    @Test
    void aCrewAppendsToAndCorrectsItsOwnBlockAndTheLineShapeFeedsTheP4Rule() {
        ToolResult appended = run(call(Crew.RESEARCH, "core_memory_append", Map.of("block", "research_findings",
                "text", "evaluate vLLM 0.8: continuous batching halves p95 latency")));
        assertThat(appended.status()).as(appended.output()).isEqualTo(ToolStatus.OK);
        assertThat(appended.output()).startsWith("written: research_findings is now version");
        assertThat(block("research_findings")).contains("evaluate vLLM 0.8: continuous batching halves p95 latency");
        assertThat(dev.hydra.topics.memory.ResearchFindings.technologiesToEvaluate(block("research_findings")))
                .extracting(t -> t.name()).contains("vLLM 0.8");

        ToolResult again = run(call(Crew.RESEARCH, "core_memory_append", Map.of("block", "research_findings",
                "text", "evaluate vLLM 0.8: continuous batching halves p95 latency")));
        assertThat(again.output()).as("the same line twice is one entry").startsWith("already there:");

        ToolResult replaced = run(call(Crew.RESEARCH, "core_memory_replace", Map.of("block", "research_findings",
                "old_text", "halves p95 latency", "new_text", "cut p95 latency by 40% in our test")));
        assertThat(replaced.status()).as(replaced.output()).isEqualTo(ToolStatus.OK);
        assertThat(block("research_findings")).contains("evaluate vLLM 0.8: continuous batching cut p95 latency by 40%")
                .doesNotContain("halves");

        ToolResult missing = run(call(Crew.RESEARCH, "core_memory_replace", Map.of("block", "research_findings",
                "old_text", "text that is nowhere", "new_text", "x")));
        assertThat(missing.status()).isEqualTo(ToolStatus.ERROR);
        assertThat(missing.output()).contains("research_findings has no line holding 'text that is nowhere'");
    }

    @Test
    void anotherCrewsWriteToTheResearchBlockIsRefusedAndAudited() {
        String before = block("research_findings");
        ToolCall intrusion = call(Crew.DEVELOPMENT, "core_memory_append", Map.of("block", "research_findings",
                "text", "evaluate left-pad: because I said so"));
        ToolResult refused = run(intrusion);
        assertThat(refused.status()).isEqualTo(ToolStatus.ERROR);
        assertThat(refused.output()).isEqualTo("refused (and audited): research_findings is written only by "
                + "research, not by development");
        assertThat(block("research_findings")).isEqualTo(before);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(on(Topics.AUDIT.name()).stream()
                .map(r -> Topics.AUDIT.valueSerde().deserialize(r.topic(), r.value()))
                .filter(a -> a.subjectId().equals("research_findings") && a.actor().equals("development")))
                .singleElement().satisfies(audit -> {
                    assertThat(audit.verdict()).isEqualTo(Decision.DENY);
                    assertThat(audit.action()).isEqualTo(CoreMemory.REFUSED_ACTION);
                }));
    }

    @Test
    void aPassageStoredEarlierIsFoundByMeaning() {
        ToolResult stored = run(call(Crew.INFRASTRUCTURE, "archival_memory_insert", Map.of("text",
                "Qdrant snapshots of the hydra collection are taken nightly at 03:00 and kept for seven days")));
        assertThat(stored.status()).as(stored.output()).isEqualTo(ToolStatus.OK);
        ToolResult found = run(call(Crew.RESEARCH, "archival_memory_search", Map.of("query",
                "when are vector database backups made")));
        assertThat(found.status()).as(found.output()).isEqualTo(ToolStatus.OK);
        assertThat(found.output().lines().findFirst().orElse("")).contains("Qdrant snapshots of the hydra collection");
    }

    @Test
    void anUnsignedMemoryCallIsNeverRunItIsRefusedAndDeadLettered() {
        String before = block("infrastructure_health");
        ToolCall forged = call(Crew.INFRASTRUCTURE, "core_memory_append", Map.of("block", "infrastructure_health",
                "text", "letta: healthy, no restart needed"));
        producer.send(Topics.TOOLCALLS_APPROVED, forged.id(), forged, forged.taskId());
        producer.flush();
        ToolResult refused = answer(forged);
        assertThat(refused.status()).isEqualTo(ToolStatus.REFUSED);
        assertThat(refused.output()).contains("no hydra-signature header");
        assertThat(block("infrastructure_health")).isEqualTo(before);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(on(Topics.DLQ.name()))
                .anySatisfy(r -> assertThat(r.key()).isEqualTo(forged.id())));
    }

    @Test
    void aCallOtherThanTextIsAnErrorThatNamesTheArgument() {
        ToolResult wrong = run(call(Crew.RESEARCH, "core_memory_append", Map.of("block", "research_findings",
                "text", List.of("a", "b"))));
        assertThat(wrong.status()).isEqualTo(ToolStatus.ERROR);
        assertThat(wrong.output()).isEqualTo("memory.core_memory_append argument 'text' must be a text, was "
                + "ArrayList");
        ToolResult unknown = run(call(Crew.RESEARCH, "forget_everything", Map.of()));
        assertThat(unknown.output()).startsWith("memory has no tool 'forget_everything'");
    }

    /** Puts the signed call on the topic and waits until the memory tools committed past it (run or skipped). */
    private static void putBack(ToolCall call) throws Exception {
        org.apache.kafka.clients.producer.RecordMetadata sent = producer.sendWithHeaders(Topics.TOOLCALLS_APPROVED,
                call.id(), call, TestSigning.signed(EventHeaders.of(Topics.TOOLCALLS_APPROVED, call.taskId()), call))
                .get();
        var partition = new org.apache.kafka.common.TopicPartition(sent.topic(), sent.partition());
        await().atMost(PATIENCE).until(() -> {
            var committed = kafka.admin().listConsumerGroupOffsets(MemoryTools.GROUP).partitionsToOffsetAndMetadata()
                    .get().get(partition);
            return committed != null && committed.offset() > sent.offset();
        });
    }

    @Test
    void aSignedAppendPutBackAfterItsLineWasCorrectedIsNotRunAgain() throws Exception {
        ToolCall stale = call(Crew.INFRASTRUCTURE, "core_memory_append", Map.of("block", "infrastructure_health",
                "text", "qdrant: healthy, no action needed"));
        assertThat(run(stale).status()).isEqualTo(ToolStatus.OK);
        ToolResult corrected = run(call(Crew.INFRASTRUCTURE, "core_memory_replace", Map.of("block",
                "infrastructure_health", "old_text", "healthy, no action needed", "new_text", "DOWN since 10:02, restart it")));
        assertThat(corrected.status()).as(corrected.output()).isEqualTo(ToolStatus.OK);

        putBack(stale);
        assertThat(block("infrastructure_health")).contains("qdrant: DOWN since 10:02, restart it")
                .doesNotContain("healthy, no action needed");
        assertThat(on(Topics.TOOLCALLS_RESULTS.name()).stream().filter(r -> stale.id().equals(r.key())))
                .as("the call was answered once, when it ran").hasSize(1);
    }

    @Test
    void aReplaceRedeliveredIsAppliedOnce() throws Exception {
        assertThat(run(call(Crew.INFRASTRUCTURE, "core_memory_append", Map.of("block", "infrastructure_health",
                "text", "build: retries 1"))).status()).isEqualTo(ToolStatus.OK);
        ToolCall grow = call(Crew.INFRASTRUCTURE, "core_memory_replace", Map.of("block", "infrastructure_health",
                "old_text", "retries 1", "new_text", "retries 1 1"));
        assertThat(run(grow).status()).isEqualTo(ToolStatus.OK);
        putBack(grow);
        assertThat(block("infrastructure_health")).contains("build: retries 1 1").doesNotContain("retries 1 1 1");
    }

    @Test
    void aSignedCallCreatedLongAgoOrInTheFutureIsRefusedAsStale() {
        for (Instant created : List.of(Instant.now().minus(Duration.ofHours(2)), Instant.now().plus(Duration.ofHours(1)))) {
            String id = UUID.randomUUID().toString();
            ToolCall old = new ToolCall(id, "task-" + id.substring(0, 8), Crew.RESEARCH, "agent", ToolVocabulary.MEMORY,
                    "core_memory_append", Map.of("block", "research_findings", "text", "evaluate stale-tech: replayed"),
                    List.of(), created, null);
            ToolResult refused = run(old);
            assertThat(refused.status()).isEqualTo(ToolStatus.REFUSED);
            assertThat(refused.output()).startsWith("stale: the call was created at " + created);
        }
        assertThat(block("research_findings")).doesNotContain("stale-tech");
    }

    @Test
    void anOversizedPassageOrQueryIsAnErrorNamingTheArgumentAndItsLimit() {
        ToolResult passage = run(call(Crew.RESEARCH, "archival_memory_insert", Map.of("text", "x".repeat(50_000))));
        assertThat(passage.status()).isEqualTo(ToolStatus.ERROR);
        assertThat(passage.output()).startsWith("memory.archival_memory_insert argument 'text' must be at most 4000 "
                + "characters, was 50000");
        ToolResult query = run(call(Crew.RESEARCH, "recall_search", Map.of("query", "y".repeat(4_001))));
        assertThat(query.status()).isEqualTo(ToolStatus.ERROR);
        assertThat(query.output()).startsWith("memory.recall_search argument 'query' must be at most 4000");
    }
}
