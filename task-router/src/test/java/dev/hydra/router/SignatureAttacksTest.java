package dev.hydra.router;

import static dev.hydra.router.RouterDriver.header;
import static dev.hydra.router.RouterDriver.task;
import static dev.hydra.router.RouterDriver.taskOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.signing.TestSigning;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer of hydra.tasks.approved tries to make the router publish, under a task's valid
 * signature, work the constitution did not sign. Those that get through are in
 * {@link SignatureHolesTest}.
 */
class SignatureAttacksTest {
    static final String SETTINGS = """
            router:
              checkInterval: 1s
              promoteAfter: 10m
              heartbeatTimeout: 2m
              taskTimeout: 30m
              maxAttempts: 2
              retryBackoff: 30s
              nodeTimeout: 60s
            """;

    @TempDir
    Path stateDir;
    private RouterDriver router;

    @BeforeEach
    void start() {
        router = new RouterDriver(stateDir, SETTINGS);
        router.announce("node-a", Crew.INFRASTRUCTURE, List.of());
    }

    @AfterEach
    void stop() {
        router.close();
    }

    @Test
    void anAlteredCopyOfAnOpenSignedTaskDoesNotReplaceItOnTheLane() {
        Task signed = task("attack-open", Crew.INFRASTRUCTURE, 2, "restart_service", "web");
        router.approveSigned(signed);
        List<TestRecord<String, byte[]>> first = router.lane(Crew.INFRASTRUCTURE, 2);
        assertThat(first).hasSize(1);

        Task altered = task("attack-open", Crew.INFRASTRUCTURE, 2, "restart_service", "postgres");
        router.approveUnsigned(altered);
        router.advance(Duration.ofMinutes(10)); // promoted from the store: still the signed original

        assertThat(router.lane(Crew.INFRASTRUCTURE, 2)).isEmpty();
        TestRecord<String, byte[]> promoted = router.lane(Crew.INFRASTRUCTURE, 1).get(0);
        assertThat(taskOf(promoted).task()).containsEntry("service", "web");
        assertThat(TestSigning.verifier().refusal(promoted.headers(), taskOf(promoted))).isEmpty();
    }

    @Test
    void aSignedTaskWhosePayloadWasAlteredBeforeTheRouterIsRoutedWithASignatureThatNoLongerFits() {
        Task signed = task("attack-alter", Crew.INFRASTRUCTURE, 3, "restart_service", "web");
        Task altered = new Task(signed.id(), signed.type(), 3, signed.impact(), signed.description(), signed.crew(),
                Map.of("action", "restart_service", "service", "postgres"), signed.resources(), signed.requires(),
                signed.source(), signed.createdAt());
        router.approveSigned(signed);
        TestRecord<String, byte[]> lane = router.lane(Crew.INFRASTRUCTURE, 3).get(0);

        // the router never re-signs: the crew gets the filter's signature, which covers the original only
        assertThat(header(lane.headers(), EventHeaders.SIGNATURE)).isEqualTo(
                header(TestSigning.signed(signed), EventHeaders.SIGNATURE));
        assertThat(TestSigning.verifier().refusal(lane.headers(), altered)).isPresent();
    }
}
