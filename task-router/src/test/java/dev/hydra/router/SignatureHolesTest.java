package dev.hydra.router;

import static dev.hydra.router.RouterDriver.task;
import static dev.hydra.router.RouterDriver.taskOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.signing.TestSigning;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attacks on the router that got through before it verified what it tracks (H4). */
class SignatureHolesTest {
    @TempDir
    Path stateDir;
    private RouterDriver router;

    @BeforeEach
    void start() {
        router = new RouterDriver(stateDir, SignatureAttacksTest.SETTINGS);
        router.announce("node-a", Crew.INFRASTRUCTURE, List.of());
    }

    @AfterEach
    void stop() {
        router.close();
    }

    /**
     * A task's id is readable on hydra.tasks.proposed long before the filter releases it (a parked
     * task waits for an approver). An unsigned record under that id, written to hydra.tasks.approved
     * first, is tracked by the router; the constitution's real release then counts as "a redelivered
     * approval" and is dropped, the crew refuses the unsigned copy, and the approved task never runs.
     */
    @Test
    void anUnsignedCopyWrittenFirstDoesNotShutOutTheConstitutionsSignedRelease() {
        Task squatter = task("attack-squat", Crew.INFRASTRUCTURE, 2, "restart_service", "nothing");
        Task released = task("attack-squat", Crew.INFRASTRUCTURE, 2, "restart_service", "web");

        router.approveUnsigned(squatter);
        router.approveSigned(released);

        List<TestRecord<String, byte[]>> lane = router.lane(Crew.INFRASTRUCTURE, 2);
        assertThat(lane).as("lane records of the task").anySatisfy(record ->
                assertThat(TestSigning.verifier().refusal(record.headers(), taskOf(record))).isEmpty());
    }
}
