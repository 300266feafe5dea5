package dev.hydra.router.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The router's rules, each by itself, without Kafka. */
class RulesTest {
    private static final Instant T0 = Instant.parse("2026-11-24T05:00:00Z");

    private static Task task(String id, Crew crew, int priority, int impact, Map<String, Object> work,
                             List<String> resources) {
        return new Task(id, null, priority, impact, "d", crew, work, resources, List.of(), "test", T0);
    }

    @Test
    void fingerprintIsCrewActionAndTheFirstNamedTarget() {
        Task restart = task("a", Crew.INFRASTRUCTURE, 1, 0, Map.of("action", "restart_service", "service", "letta"),
                List.of());
        Task again = task("b", Crew.INFRASTRUCTURE, 2, 90, Map.of("action", "restart_service", "service", "letta",
                "reason", "still down"), List.of("service:letta"));
        assertThat(Fingerprint.of(restart)).isEqualTo("infrastructure|restart_service|letta")
                .isEqualTo(Fingerprint.of(again));
    }

    @Test
    void fingerprintsDifferByTargetCrewOrAction() {
        Task letta = task("a", Crew.INFRASTRUCTURE, 1, 0, Map.of("action", "restart_service", "service", "letta"),
                List.of());
        Task qdrant = task("b", Crew.INFRASTRUCTURE, 1, 0, Map.of("action", "restart_service", "service", "qdrant"),
                List.of());
        Task stop = task("c", Crew.INFRASTRUCTURE, 1, 0, Map.of("action", "stop_service", "service", "letta"),
                List.of());
        Task otherCrew = task("d", Crew.DEVELOPMENT, 1, 0, Map.of("action", "restart_service", "service", "letta"),
                List.of());
        assertThat(List.of(Fingerprint.of(letta), Fingerprint.of(qdrant), Fingerprint.of(stop),
                Fingerprint.of(otherCrew))).doesNotHaveDuplicates();
    }

    @Test
    void fingerprintUsesTechnologyNameThenResourcesThenAllArguments() {
        Task evaluate = task("a", Crew.RESEARCH, 4, 0, Map.of("action", "evaluate_technology",
                "technology", Map.of("name", "vLLM", "url", "https://example.org")), List.of());
        assertThat(Fingerprint.of(evaluate)).isEqualTo("research|evaluate_technology|vLLM");
        Task byResource = task("b", Crew.DEVELOPMENT, 2, 0, Map.of("action", "fix_tests"),
                List.of("repo:hydra@main", "path:/workspace"));
        assertThat(Fingerprint.of(byResource)).isEqualTo("development|fix_tests|repo:hydra@main");
        Task optimize = task("c", Crew.INFRASTRUCTURE, 3, 0, Map.of("action", "tune", "b", 2, "a", 1), List.of());
        assertThat(Fingerprint.of(optimize)).isEqualTo("infrastructure|tune|{a=1,b=2}");
    }

    @Test
    void conflictsNameTheResourcesHeldByOthersOnly() {
        Map<String, String> holders = Map.of("service:letta", "t-1", "db:hydra", "t-2");
        assertThat(Conflicts.blockers("t-3", List.of("db:hydra", "path:/x", "service:letta"),
                r -> Optional.ofNullable(holders.get(r))))
                .containsExactly(Map.entry("db:hydra", "t-2"), Map.entry("service:letta", "t-1"));
        assertThat(Conflicts.blockers("t-1", List.of("service:letta"), r -> Optional.ofNullable(holders.get(r))))
                .isEmpty();
    }

    @Test
    void heldTasksAreReleasedByPriorityThenImpactThenAge() {
        TrackedTask lowOld = TrackedTask.arrived(task("low", Crew.RESEARCH, 3, 99, Map.of("action", "x"), List.of()),
                null, "f1", 1);
        TrackedTask urgentLowImpact = TrackedTask.arrived(task("u1", Crew.RESEARCH, 1, 10, Map.of("action", "x"),
                List.of()), null, "f2", 5);
        TrackedTask urgentHighImpact = TrackedTask.arrived(task("u2", Crew.RESEARCH, 1, 80, Map.of("action", "x"),
                List.of()), null, "f3", 9);
        TrackedTask urgentHighImpactOlder = TrackedTask.arrived(task("u3", Crew.RESEARCH, 1, 80, Map.of("action", "x"),
                List.of()), null, "f4", 2);
        assertThat(List.of(lowOld, urgentLowImpact, urgentHighImpact, urgentHighImpactOlder).stream()
                .sorted(Conflicts.RELEASE_ORDER).map(TrackedTask::id)).containsExactly("u3", "u2", "u1", "low");
    }

    @Test
    void affinityNeedsALiveNodeOfTheCrewWithEveryCapability() {
        Duration timeout = Duration.ofSeconds(60);
        long now = T0.toEpochMilli();
        NodeAnnouncement vision = new NodeAnnouncement("gpu-1", Crew.RESEARCH, List.of("llava"),
                List.of("vision", "large-context"), T0.minusSeconds(30));
        NodeAnnouncement stale = new NodeAnnouncement("gpu-2", Crew.DEVELOPMENT, List.of("llava"), List.of("vision"),
                T0.minusSeconds(61));
        assertThat(Affinity.canRun(Crew.RESEARCH, List.of("vision"), List.of(vision, stale), now, timeout)).isTrue();
        assertThat(Affinity.canRun(Crew.RESEARCH, List.of("vision", "audio"), List.of(vision), now, timeout)).isFalse();
        assertThat(Affinity.canRun(Crew.DEVELOPMENT, List.of("vision"), List.of(vision, stale), now, timeout))
                .as("the only development node missed its heartbeat").isFalse();
        assertThat(Affinity.canRun(Crew.INFRASTRUCTURE, List.of(), List.of(), now, timeout))
                .as("no requirements: any crew member can run it").isTrue();
    }

    @Test
    void agingPromotesAfterTheWaitButNeverPastTheTopLane() {
        Duration after = Duration.ofMinutes(10);
        assertThat(Aging.due(4, 0, after.toMillis() - 1, after)).isFalse();
        assertThat(Aging.due(4, 0, after.toMillis(), after)).isTrue();
        assertThat(Aging.due(1, 0, after.toMillis() * 5, after)).isFalse();
        assertThat(Aging.promoted(3)).isEqualTo(2);
        assertThat(Aging.promoted(1)).isEqualTo(1);
    }

    @Test
    void livenessFlagsMissedHeartbeatAndTaskTimeout() {
        Duration beat = Duration.ofMinutes(2);
        Duration timeout = Duration.ofMinutes(30);
        long min = 60_000;
        assertThat(Liveness.check(0, 0, 2 * min, beat, timeout)).isEmpty();
        assertThat(Liveness.check(0, 0, 2 * min + 1, beat, timeout)).get()
                .extracting(Liveness.Verdict::reason).isEqualTo(Liveness.Stuck.HEARTBEAT_MISSED);
        assertThat(Liveness.check(0, 29 * min, 30 * min + 1, beat, timeout)).get()
                .extracting(Liveness.Verdict::reason).isEqualTo(Liveness.Stuck.TIMED_OUT);
    }

    @Test
    void retriesBackOffExponentiallyUpToTheCapAndStopAtMaxAttempts() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(30));
        assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.delayAfter(2)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.delayAfter(9)).isEqualTo(RetryPolicy.MAX_BACKOFF);
        assertThat(policy.exhausted(2)).isFalse();
        assertThat(policy.exhausted(3)).isTrue();
    }
}
