package dev.hydra.constitution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter as a service on a real broker, exactly-once. One broker and one running filter for the
 * class; the crash test, last, replaces the filter with one that fails mid-transaction.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConstitutionFilterBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static KafkaTestCluster cluster;
    private static HydraConfig config;
    private static Properties props;
    private static Path stateDir;
    private static ConstitutionFilter filter;
    private static EventProducer producer;

    @BeforeAll
    static void start(@TempDir Path dir) {
        cluster = BrokerFixture.cluster();
        config = BrokerFixture.config(dir);
        props = BrokerFixture.clientProps(cluster);
        stateDir = dir.resolve("state");
        filter = new ConstitutionFilter(config, props, stateDir, TestSigning.signer(), TestSigning.writerVerifier());
        filter.start();
        producer = new EventProducer(cluster.clientProps(), "constitution-filter-test",
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

    private static void propose(Task task) {
        producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id());
        producer.flush();
    }

    private static AuditRecord awaitAudit(String subjectId) {
        return await().atMost(WAIT).until(() -> BrokerFixture.committed(cluster, Topics.AUDIT).stream()
                .map(ConsumerRecord::value).filter(a -> a.subjectId().equals(subjectId)).findFirst().orElse(null),
                a -> a != null);
    }

    @Test
    @Order(1)
    void aDropDatabaseTaskNeverReachesApprovedAndIsAudited() {
        propose(FilterDriver.dropDatabaseTask("broker-drop"));

        // The audit record commits in the verdict's transaction: once it is visible, so is the verdict.
        AuditRecord audit = awaitAudit("broker-drop");
        assertThat(audit.verdict()).isNotEqualTo(Decision.ALLOW);
        assertThat(audit.constraint()).isEqualTo("never_delete_databases");
        assertThat(audit.hash()).isEqualTo(AuditChain.hash(audit));
        assertThat(BrokerFixture.committed(cluster, Topics.TASKS_APPROVED)).extracting(ConsumerRecord::key)
                .doesNotContain("broker-drop");
        assertThat(filter.healthy()).isTrue();
    }

    @Test
    @Order(2)
    void aMalformedValueGoesToTheDlqAndTheNextGoodOneIsApproved() {
        // Same key, so the same partition: the good task comes after the bad bytes.
        producer.sendRaw(new ProducerRecord<>(Topics.TASKS_PROPOSED.name(),
                "broker-pair".getBytes(StandardCharsets.UTF_8), "{\"priority\": ".getBytes(StandardCharsets.UTF_8)));
        propose(FilterDriver.harmlessTask("broker-pair"));

        await().atMost(WAIT).until(() -> BrokerFixture.committed(cluster, Topics.TASKS_APPROVED).stream()
                .anyMatch(r -> r.key().equals("broker-pair")));
        List<ConsumerRecord<String, byte[]>> dead = BrokerFixture.rawCommitted(cluster, Topics.DLQ.name());
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).key()).isEqualTo("broker-pair");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_TOPIC))
                .isEqualTo(Topics.TASKS_PROPOSED.name());
    }

    /** What kcat or a script writes: no Hydra headers, an action its crew does not run. */
    @Test
    @Order(2)
    void aTaskFromAnyProducerWithAnActionItsCrewDoesNotRunIsRejectedWithTheReason() {
        String json = "{\"priority\": 3, \"description\": \"summarize the logs\", \"crew\": \"research\","
                + " \"task\": {\"action\": \"summarize\", \"path\": \"/workspace/logs\"}}";
        producer.sendRaw(new ProducerRecord<>(Topics.TASKS_PROPOSED.name(),
                "broker-summarize".getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
        producer.flush();

        AuditRecord audit = awaitAudit("broker-summarize");
        assertThat(audit.verdict()).isEqualTo(Decision.DENY);
        assertThat(audit.constraint()).isEqualTo(Gate.UNKNOWN_ACTION);
        ConsumerRecord<String, Task> rejected = await().atMost(WAIT).until(() -> BrokerFixture.committed(cluster,
                Topics.TASKS_REJECTED).stream().filter(r -> r.key().equals("broker-summarize")).findFirst()
                .orElse(null), r -> r != null);
        assertThat(rejected.value().source()).isEqualTo("kafka");
        assertThat(dev.hydra.topics.EventHeaders.get(rejected.headers(), dev.hydra.topics.EventHeaders.REASON))
                .hasValueSatisfying(reason -> assertThat(reason).contains("task.action 'summarize'", "crew research",
                        "[research_topic, evaluate_technology, noop]"));
        assertThat(BrokerFixture.committed(cluster, Topics.TASKS_APPROVED)).extracting(ConsumerRecord::key)
                .doesNotContain("broker-summarize");
        assertThat(BrokerFixture.committed(cluster, Topics.APPROVAL_REQUESTS)).extracting(r -> r.value().subjectId())
                .doesNotContain("broker-summarize");
    }

    @Test
    @Order(3)
    void anApprovalOnTheDecisionsTopicReleasesTheParkedTask() {
        propose(FilterDriver.dropDatabaseTask("broker-approve"));
        ApprovalRequest pending = await().atMost(WAIT).until(() -> latestRequestFor("broker-approve"),
                r -> r.isPresent()).orElseThrow();
        assertThat(pending.status()).isEqualTo(ApprovalStatus.PENDING);

        producer.send(Topics.APPROVAL_DECISIONS, pending.id(), FilterDriver.approve(pending, "admin"), "broker-approve");
        producer.flush();

        await().atMost(WAIT).until(() -> BrokerFixture.committed(cluster, Topics.TASKS_APPROVED).stream()
                .anyMatch(r -> r.key().equals("broker-approve")));
        assertThat(latestRequestFor("broker-approve").orElseThrow().status()).isEqualTo(ApprovalStatus.APPROVED);
    }

    private static Optional<ApprovalRequest> latestRequestFor(String taskId) {
        List<ApprovalRequest> requests = BrokerFixture.committed(cluster, Topics.APPROVAL_REQUESTS).stream()
                .map(ConsumerRecord::value).filter(r -> r.subjectId().equals(taskId)).toList();
        return requests.isEmpty() ? Optional.empty() : Optional.of(requests.get(requests.size() - 1));
    }

    @Test
    @Order(4)
    void aTaskProposedAgainUnderAnotherKeyIsDeadLetteredAndKeepsOneAuditChain() {
        Task task = FilterDriver.harmlessTask("broker-twice");
        String otherKey = IntStream.range(0, 100).mapToObj(i -> "other-" + i)
                .filter(key -> partitionOf(key) != partitionOf(task.id())).findFirst().orElseThrow();
        propose(task);
        producer.send(Topics.TASKS_PROPOSED, otherKey, task, task.id());
        producer.flush();

        await().atMost(WAIT).until(() -> BrokerFixture.rawCommitted(cluster, Topics.DLQ.name()).stream()
                .anyMatch(r -> otherKey.equals(r.key())));
        await().atMost(WAIT).until(() -> BrokerFixture.committed(cluster, Topics.AUDIT).stream()
                .anyMatch(r -> r.key().equals("broker-twice")));
        assertThat(BrokerFixture.committed(cluster, Topics.AUDIT)).filteredOn(r -> r.key().equals("broker-twice"))
                .hasSize(1);
        AuditVerifier.Report report = AuditVerifier.strict().verifyTopic(cluster.clientProps(), WAIT);
        assertThat(report.firstBreak()).isEmpty();
        assertThat(BrokerFixture.committed(cluster, Topics.TASKS_APPROVED)).filteredOn(r -> r.key().equals("broker-twice"))
                .extracting(ConsumerRecord::partition).containsOnly(partitionOf(task.id()));
    }

    private static int partitionOf(String key) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                key.getBytes(StandardCharsets.UTF_8))) % Topics.TASKS_PROPOSED.partitions();
    }

    @Test
    @Order(5)
    void diffListsTheRetainedItemsWhoseVerdictACandidateWouldChange() {
        propose(FilterDriver.harmlessTask("diff-same"));
        producer.send(Topics.TOOLCALLS_REQUESTED, "diff-call", FilterDriver.dropDatabaseToolCall("diff-call"),
                "task-of-diff-call");
        producer.flush();
        awaitAudit("diff-same");
        awaitAudit("diff-call");
        Constitution current = filter.constitution();
        Constitution stricter = Constitution.parse(FilterDriver.testConstitutionYaml()
                .replace("action: queue_for_approval", "action: deny"), "candidate.yaml");
        ConstitutionDiff diff = new ConstitutionDiff(current, stricter);

        ConstitutionDiff.Result all = diff.replay(cluster.clientProps(), Optional.empty(), WAIT);
        ConstitutionDiff.Result none = diff.replay(cluster.clientProps(), Optional.of(Instant.now().plusSeconds(3600)),
                WAIT);

        assertThat(all.itemsRead()).isGreaterThanOrEqualTo(4);
        assertThat(all.malformedSkipped()).isEqualTo(1);
        assertThat(all.changes()).extracting(ConstitutionDiff.Change::id).doesNotContain("diff-same", "broker-pair");
        assertThat(all.changes()).filteredOn(c -> c.id().equals("broker-drop")).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(dev.hydra.topics.events.SubjectKind.TASK);
            assertThat(c.oldVerdict()).isEqualTo(Decision.NEEDS_APPROVAL);
            assertThat(c.newVerdict()).isEqualTo(Decision.DENY);
            assertThat(c.constraint()).isEqualTo("never_delete_databases");
            assertThat(c.source()).startsWith(Topics.TASKS_PROPOSED.name() + "-");
        });
        assertThat(all.changes()).filteredOn(c -> c.id().equals("diff-call")).singleElement()
                .satisfies(c -> assertThat(c.kind()).isEqualTo(dev.hydra.topics.events.SubjectKind.TOOL_CALL));
        assertThat(none.itemsRead()).isZero();
        assertThat(none.changes()).isEmpty();
    }

    /**
     * A crash between verdict and audit leaves nothing half-written: the filter fails after
     * forwarding a task's verdict and before forwarding its audit record, the transaction aborts, a
     * restarted filter processes the task again, and committed readers see exactly one verdict and
     * one audit record per task.
     */
    @Test
    @Order(6)
    void aCrashBetweenVerdictAndAuditLeavesExactlyOneOfEachAfterRestart() {
        filter.close();
        List<Task> tasks = IntStream.range(0, 12).mapToObj(i -> FilterDriver.harmlessTask("eos-" + i)).toList();
        tasks.forEach(task -> producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id()));
        producer.flush();

        AtomicInteger crashes = new AtomicInteger();
        ConstitutionFilter doomed = new ConstitutionFilter(config, props, stateDir, TestSigning.signer(), TestSigning.writerVerifier(), subjectId -> {
            if (subjectId.equals("eos-7") && crashes.getAndIncrement() == 0) {
                throw new IllegalStateException("injected crash after the verdict of " + subjectId);
            }
        });
        doomed.start();
        await().atMost(WAIT).until(() -> doomed.state() == KafkaStreams.State.ERROR);
        doomed.close();
        assertThat(crashes.get()).isEqualTo(1);

        filter = new ConstitutionFilter(config, props, stateDir, TestSigning.signer(), TestSigning.writerVerifier());
        filter.start();
        await().atMost(WAIT).until(ConstitutionFilterBrokerTest::allProposedTasksCommitted);

        Map<String, Long> once = tasks.stream().collect(Collectors.toMap(Task::id, t -> 1L));
        assertThat(countByKey(BrokerFixture.committed(cluster, Topics.TASKS_APPROVED), "eos-")).isEqualTo(once);
        List<ConsumerRecord<String, AuditRecord>> trail = BrokerFixture.committed(cluster, Topics.AUDIT);
        assertThat(countByKey(trail, "eos-")).isEqualTo(once);
        assertThat(AuditVerifier.strict().verifyTopic(cluster.clientProps(), WAIT).intact()).isTrue();
        // the crash dead-letters none of its tasks: only the earlier tests' malformed record and key mismatch are there
        assertThat(BrokerFixture.rawCommitted(cluster, Topics.DLQ.name())).hasSize(2)
                .noneMatch(r -> r.key() != null && r.key().startsWith("eos-"));
    }

    /** The filter's group has committed every proposed task: nothing more will be written for them. */
    private static boolean allProposedTasksCommitted() throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(FilterSettings.APPLICATION_ID).partitionsToOffsetAndMetadata().get();
            var ends = admin.listOffsets(IntStream.range(0, Topics.TASKS_PROPOSED.partitions())
                    .mapToObj(p -> new TopicPartition(Topics.TASKS_PROPOSED.name(), p))
                    .collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest()))).all().get();
            return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
                    || (committed.get(end.getKey()) != null
                    && committed.get(end.getKey()).offset() >= end.getValue().offset()));
        }
    }

    private static Map<String, Long> countByKey(List<? extends ConsumerRecord<String, ?>> records, String prefix) {
        return records.stream().filter(r -> r.key().startsWith(prefix))
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
    }
}
