package dev.hydra.constitution.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.constitution.approval.ApprovalStateMachine.Move;
import dev.hydra.constitution.approval.ApprovalStateMachine.Refused;
import dev.hydra.constitution.approval.ApprovalStateMachine.Transition;
import dev.hydra.topics.events.ApprovalDecision;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import dev.hydra.topics.events.SubjectKind;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApprovalStateMachineTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final String HASH = "a".repeat(64);
    private static final Set<String> APPROVERS = Set.of("admin");
    private static final ApprovalRequest PENDING = new ApprovalRequest("r-1", SubjectKind.TASK, "t-1",
            Map.of("id", "t-1"), HASH, "never_delete_databases", "drops a database", ApprovalStatus.PENDING,
            NOW.minusSeconds(60), NOW.plusSeconds(3600), "", "");

    private static ApprovalDecision decision(boolean approve, String by, String hash) {
        return new ApprovalDecision("r-1", hash, approve, by, "", NOW);
    }

    private static ApprovalStateMachine.Step decide(ApprovalRequest request, ApprovalDecision decision, Instant at) {
        return ApprovalStateMachine.decide(request, decision, APPROVERS, at.toEpochMilli());
    }

    @Test
    void anApproverApprovesOrRejectsAPendingRequest() {
        assertThat(decide(PENDING, decision(true, "admin", HASH), NOW)).isEqualTo(new Move(Transition.APPROVE));
        assertThat(decide(PENDING, decision(false, "admin", HASH), NOW)).isEqualTo(new Move(Transition.REJECT));
        assertThat(Transition.APPROVE.from(ApprovalStatus.PENDING)).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(Transition.REJECT.from(ApprovalStatus.PENDING)).isEqualTo(ApprovalStatus.REJECTED);
        assertThat(Transition.EXPIRE.from(ApprovalStatus.PENDING)).isEqualTo(ApprovalStatus.EXPIRED);
    }

    @Test
    void refusesADecisionOnAnUnknownRequest() {
        assertThat(decide(null, decision(true, "admin", HASH), NOW))
                .isEqualTo(new Refused("no such approval request", false));
    }

    @Test
    void refusesSomeoneWhoIsNotAnApproverBeforeLookingFurther() {
        assertThat(decide(PENDING, decision(true, "mallory", "b".repeat(64)), NOW))
                .isEqualTo(new Refused("mallory is not an approver", false));
    }

    @Test
    void refusesASecondDecisionNamingTheFirst() {
        ApprovalRequest approved = PENDING.decided(ApprovalStatus.APPROVED, "admin", "ok");
        assertThat(decide(approved, decision(false, "admin", HASH), NOW))
                .isEqualTo(new Refused("already approved by admin", false));
    }

    @Test
    void refusesAHashThatIsNotTheParkedItems() {
        assertThat(decide(PENDING, decision(true, "admin", "b".repeat(64)), NOW))
                .isEqualTo(new Refused("contentSha256 does not match the parked item", false));
    }

    @Test
    void aDecisionAfterTheExpiryExpiresTheRequestAndIsRefused() {
        Instant late = PENDING.expiresAt();
        assertThat(ApprovalStateMachine.due(PENDING, late.toEpochMilli())).isTrue();
        assertThat(ApprovalStateMachine.due(PENDING, late.toEpochMilli() - 1)).isFalse();
        assertThat(decide(PENDING, decision(true, "admin", HASH), late))
                .isEqualTo(new Refused("the request expired at " + PENDING.expiresAt(), true));
    }

    @Test
    void aFinalStateHasNoTransitions() {
        for (ApprovalStatus done : new ApprovalStatus[] {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED,
                ApprovalStatus.EXPIRED}) {
            for (Transition transition : Transition.values()) {
                assertThatThrownBy(() -> transition.from(done)).isInstanceOf(IllegalStateException.class);
            }
            assertThat(ApprovalStateMachine.due(PENDING.decided(done, "admin", ""), Long.MAX_VALUE)).isFalse();
        }
    }

    @Test
    void onlyAPendingRequestNotSeenBeforeIsNew() {
        assertThat(ApprovalStateMachine.isNew(PENDING, null)).isTrue();
        assertThat(ApprovalStateMachine.isNew(PENDING, PENDING)).isFalse();
        assertThat(ApprovalStateMachine.isNew(PENDING.decided(ApprovalStatus.APPROVED, "admin", ""), null)).isFalse();
    }
}
