package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.crew.ClaimRules.Decision;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import java.net.ConnectException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The worker's claim and retry rules by themselves: no broker, no model. */
class ClaimRulesTest {
    private static final Instant NOW = Instant.now();
    private static final java.time.Duration LOOKBACK = java.time.Duration.ofDays(7);

    private static Task task(List<String> requires) {
        return new Task("t-1", "research", 3, 50, "Research", Crew.RESEARCH, Map.of("action", "research_topic"),
                List.of(), requires, "test", Instant.now());
    }

    @Test
    void aTombstoneOrAnotherCrewsTaskIsInvalidAndItsSignatureIsNotEvenChecked() {
        AtomicBoolean checked = new AtomicBoolean();
        assertThat(ClaimRules.onArrival(null, Crew.RESEARCH, () -> {
            checked.set(true);
            return Optional.empty();
        }, NOW, LOOKBACK)).isEqualTo(new Decision.Invalid("empty value (tombstone) on a task lane"));
        assertThat(ClaimRules.onArrival(task(List.of()), Crew.DEVELOPMENT, Optional::empty, NOW, LOOKBACK))
                .isEqualTo(new Decision.Invalid("task for crew research on a lane of crew development"));
        assertThat(checked).isFalse();
    }

    @Test
    void aRecordWhoseSignatureDoesNotVerifyIsRefusedWithTheVerifiersReason() {
        assertThat(ClaimRules.onArrival(task(List.of()), Crew.RESEARCH, () -> Optional.of("no signature"), NOW, LOOKBACK))
                .isEqualTo(new Decision.Refuse("no signature"));
        assertThat(ClaimRules.onArrival(task(List.of()), Crew.RESEARCH, Optional::empty, NOW, LOOKBACK)).isEqualTo(new Decision.Run());
    }

    /** A signature does not expire; the statuses that tell a copy from new work reach back only so far. */
    @Test
    void aSignedTaskCreatedBeforeTheLookbackOrInTheFutureIsRefusedEvenThoughItsSignatureVerifies() {
        Task old = task(List.of());
        assertThat(ClaimRules.onArrival(old, Crew.RESEARCH, Optional::empty, old.createdAt().plus(LOOKBACK).plusSeconds(1),
                LOOKBACK)).isInstanceOfSatisfying(Decision.Refuse.class, refuse ->
                assertThat(refuse.reason()).contains("older than crews.statusLookback"));
        assertThat(ClaimRules.onArrival(old, Crew.RESEARCH, Optional::empty, old.createdAt().plus(LOOKBACK).minusSeconds(1),
                LOOKBACK)).isEqualTo(new Decision.Run());
        assertThat(ClaimRules.onArrival(old, Crew.RESEARCH, Optional::empty, old.createdAt().minus(ClaimRules.CLOCK_SKEW)
                .minusSeconds(1), LOOKBACK)).isInstanceOfSatisfying(Decision.Refuse.class, refuse ->
                assertThat(refuse.reason()).contains("in the future"));
        assertThat(ClaimRules.onArrival(old, Crew.RESEARCH, Optional::empty, old.createdAt().minusSeconds(60), LOOKBACK))
                .as("a minute of clock skew").isEqualTo(new Decision.Run());
    }

    @Test
    void anAttemptAlreadyClaimedOrFinishedIsACopyAndIsNotRun() {
        Decision decision = ClaimRules.beforeClaim(task(List.of()), 1,
                Optional.of(new ClaimRules.Seen(1, "CLAIMED", "gpu-2")), "gpu-1", List.of());
        assertThat(decision).isInstanceOfSatisfying(Decision.Copy.class, copy -> assertThat(copy.reason())
                .isEqualTo("attempt 1 of t-1 skipped: attempt 1 was already CLAIMED by gpu-2"));
    }

    @Test
    void aNodeWithoutTheRequiredCapabilitiesHandsTheTaskBackNamingWhatItLacks() {
        assertThat(ClaimRules.beforeClaim(task(List.of("vision", "large-context")), 1, Optional.empty(), "cpu-1",
                List.of("large-context")))
                .isEqualTo(new Decision.HandBack("node cpu-1 lacks the required capabilities [vision]"));
        assertThat(ClaimRules.beforeClaim(task(List.of("vision")), 2, Optional.empty(), "gpu-1", List.of("vision")))
                .isEqualTo(new Decision.Run());
    }

    @Test
    void anUnreachableEndpointIsRetriableAndItsMessageIsWhatThePersonReads() {
        ModelEndpoint.UnreachableException unreachable = new ModelEndpoint.UnreachableException(
                "model endpoint http://127.0.0.1:1/v1 is unreachable", new ConnectException("refused"));
        RuntimeException wrapped = new RuntimeException("agent failed", unreachable);

        assertThat(RetriableFailure.isRetriable(wrapped)).isTrue();
        assertThat(new RetriableFailure(wrapped).getMessage()).isEqualTo("model endpoint http://127.0.0.1:1/v1 is unreachable");
        assertThat(RetriableFailure.isRetriable(new RuntimeException(new ConnectException("refused")))).isTrue();
        assertThat(RetriableFailure.isRetriable(new IllegalArgumentException("bad arguments"))).isFalse();
    }
}
