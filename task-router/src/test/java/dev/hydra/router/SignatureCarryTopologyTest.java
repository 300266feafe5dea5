package dev.hydra.router;

import static dev.hydra.router.RouterDriver.header;
import static dev.hydra.router.RouterDriver.task;
import static dev.hydra.router.RouterDriver.taskOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.signing.TestSigning;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crews run nothing unsigned, so every lane record the router writes must carry the task's signature. */
class SignatureCarryTopologyTest {
    private static final String SETTINGS = """
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
        router.announce("node-a", Crew.RESEARCH, List.of());
        router.announce("node-a", Crew.DEVELOPMENT, List.of());
    }

    @AfterEach
    void stop() {
        router.close();
    }

    @Test
    void aTaskPromotedToAMoreUrgentLaneKeepsAValidSignature() {
        Task waiting = task("sig-age", Crew.RESEARCH, 4, "research_topic", "kafka tiered storage");
        router.approveSigned(waiting);
        String signature = header(only(router.lane(Crew.RESEARCH, 4)).headers(), EventHeaders.SIGNATURE);
        assertThat(signature).isNotNull();

        router.advance(Duration.ofMinutes(10));

        TestRecord<String, byte[]> promoted = only(router.lane(Crew.RESEARCH, 3));
        assertThat(taskOf(promoted).priority()).isEqualTo(3);
        assertThat(header(promoted.headers(), EventHeaders.SIGNATURE)).isEqualTo(signature);
        assertThat(TestSigning.verifier().refusal(promoted.headers(), taskOf(promoted))).isEmpty();
    }

    @Test
    void aRetriedTaskAndItsDeadLetterKeepTheSignature() {
        Task stuck = task("sig-retry", Crew.DEVELOPMENT, 2, "complete_feature", "login");
        router.approveSigned(stuck);
        String signature = header(only(router.lane(Crew.DEVELOPMENT, 2)).headers(), EventHeaders.SIGNATURE);

        router.report(stuck, TaskState.CLAIMED, 1);
        router.advance(Duration.ofMinutes(2).plusSeconds(1)); // heartbeat missed: interrupted
        router.advance(Duration.ofSeconds(30)); // backoff over: attempt 2

        TestRecord<String, byte[]> retried = only(router.lane(Crew.DEVELOPMENT, 2));
        assertThat(header(retried.headers(), TaskRouter.ATTEMPT_HEADER)).isEqualTo("2");
        assertThat(header(retried.headers(), EventHeaders.SIGNATURE)).isEqualTo(signature);
        assertThat(TestSigning.verifier().refusal(retried.headers(), taskOf(retried))).isEmpty();

        router.report(stuck, TaskState.CLAIMED, 2);
        router.advance(Duration.ofMinutes(3)); // attempts used up: dead-lettered as approved
        TestRecord<String, byte[]> dead = only(router.deadLetters());
        assertThat(header(dead.headers(), EventHeaders.SIGNATURE)).isEqualTo(signature);
    }

    @Test
    void anUnsignedApprovedTaskIsDeadLetteredByTheRouterInsteadOfRouted() {
        Task unsigned = task("sig-none", Crew.RESEARCH, 3, "research_topic", "vllm");
        router.approveUnsigned(unsigned);

        assertThat(router.lane(Crew.RESEARCH, 3)).isEmpty();
        assertThat(router.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.key()).isEqualTo("sig-none");
            assertThat(header(letter.headers(), dev.hydra.topics.DeadLetters.ERROR)).contains("no hydra-signature header");
            assertThat(header(letter.headers(), dev.hydra.topics.DeadLetters.FAILED_BY)).isEqualTo("task-router");
        });
    }

    private static <T> T only(List<T> records) {
        assertThat(records).hasSize(1);
        return records.get(0);
    }
}
