package dev.hydra.constitution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.AuditRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The audit chain as the filter writes it, checked intact and then tampered with. */
class AuditVerifierTest {
    /** A trail with several chains: three verdicts on one task id, others, and an approval's records. */
    private static List<AuditVerifier.Entry> trail;

    @BeforeAll
    static void writeATrail() {
        try (FilterDriver filter = new FilterDriver()) {
            filter.propose(FilterDriver.harmlessTask("a"));
            filter.propose(FilterDriver.harmlessTask("b"));
            filter.propose(FilterDriver.harmlessTask("a"));
            filter.propose(FilterDriver.dropDatabaseTask("c"));
            ApprovalRequest request = filter.onlyRequest();
            filter.decide(FilterDriver.approve(request, "mallory"));
            filter.decide(FilterDriver.approve(request, "admin"));
            filter.propose(FilterDriver.harmlessTask("a"));
            List<TestRecord<String, AuditRecord>> records = filter.drain(Topics.AUDIT);
            trail = IntStream.range(0, records.size())
                    .mapToObj(i -> new AuditVerifier.Entry(0, i, records.get(i).key(), records.get(i).value()))
                    .toList();
        }
        assertThat(trail).extracting(AuditVerifier.Entry::key).containsSubsequence("a", "b", "a", "c");
        assertThat(trail).hasSize(7);
    }

    @Test
    void acceptsTheTrailAsWritten() {
        AuditVerifier.Report report = AuditVerifier.strict().verify(trail);

        assertThat(report.intact()).isTrue();
        assertThat(report.checked()).isEqualTo(7);
        assertThat(report.chains()).isEqualTo(4);
    }

    @Test
    void reportsARemovedRecordAtTheNextRecordOfItsChain() {
        List<AuditVerifier.Entry> tampered = new ArrayList<>(trail);
        AuditVerifier.Entry removed = tampered.remove(2); // the second verdict on "a"

        AuditVerifier.Report report = AuditVerifier.strict().verify(tampered);

        assertThat(removed.key()).isEqualTo("a");
        AuditVerifier.Break broken = report.firstBreak().orElseThrow();
        assertThat(broken.offset()).isEqualTo(6); // the third record of "a"
        assertThat(broken.key()).isEqualTo("a");
        assertThat(broken.problem()).contains("removed");
    }

    @Test
    void reportsAnAlteredRecordWhereItIs() {
        List<AuditVerifier.Entry> tampered = new ArrayList<>(trail);
        AuditVerifier.Entry original = tampered.get(1);
        AuditRecord r = original.record();
        AuditRecord softened = new AuditRecord(r.id(), r.subjectKind(), r.subjectId(), r.action(), r.verdict(),
                r.constraint(), "nothing to see here", r.actor(), r.constitutionSha256(), r.at(), r.prevHash(),
                r.hash());
        tampered.set(1, new AuditVerifier.Entry(0, 1, original.key(), softened));

        AuditVerifier.Break broken = AuditVerifier.strict().verify(tampered).firstBreak().orElseThrow();

        assertThat(broken.offset()).isEqualTo(1);
        assertThat(broken.problem()).contains("altered");
    }

    @Test
    void reportsAnAlteredAndRehashedRecordAtTheNextRecordOfItsChain() {
        List<AuditVerifier.Entry> tampered = new ArrayList<>(trail);
        AuditRecord r = tampered.get(0).record(); // first verdict on "a"
        AuditRecord forged = new AuditRecord(r.id(), r.subjectKind(), r.subjectId(), r.action(), r.verdict(),
                r.constraint(), "rewritten", r.actor(), r.constitutionSha256(), r.at(), r.prevHash(), "");
        forged = forged.chained(forged.prevHash(), AuditChain.hash(forged));
        tampered.set(0, new AuditVerifier.Entry(0, 0, "a", forged));

        AuditVerifier.Break broken = AuditVerifier.strict().verify(tampered).firstBreak().orElseThrow();

        assertThat(broken.offset()).isEqualTo(2);
        assertThat(broken.key()).isEqualTo("a");
    }

    @Test
    void reportsARemovedFirstRecordUnlessRetentionMayHaveRemovedIt() {
        List<AuditVerifier.Entry> tampered = new ArrayList<>(trail);
        tampered.remove(0);

        assertThat(AuditVerifier.strict().verify(tampered).firstBreak().orElseThrow().offset()).isEqualTo(2);
        assertThat(AuditVerifier.afterRetention().verify(tampered).intact()).isTrue();
    }

    @Test
    void reportsARecordMovedUnderAnotherKey() {
        List<AuditVerifier.Entry> tampered = new ArrayList<>(trail);
        tampered.set(1, new AuditVerifier.Entry(0, 1, "a", tampered.get(1).record()));

        assertThat(AuditVerifier.strict().verify(tampered).firstBreak().orElseThrow().problem())
                .contains("stored under key a");
    }
}
