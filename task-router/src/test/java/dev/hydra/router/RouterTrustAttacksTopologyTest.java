package dev.hydra.router;

import static dev.hydra.router.RouterDriver.header;
import static dev.hydra.router.RouterDriver.task;
import static dev.hydra.router.RouterDriver.taskOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.signing.TestSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile producer on hydra.tasks.approved (a cluster without ACLs, or a leaked credential) against
 * the router's check of approved tasks: whatever it writes, a lane record carries the constitution's
 * signature over exactly that task and the router's own attempt, and everything else goes to
 * hydra.dlq with the reason, never to a lane.
 */
class RouterTrustAttacksTopologyTest {
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
    }

    @AfterEach
    void stop() {
        router.close();
    }

    private void approved(String key, byte[] value, Headers headers) {
        router.approvedRaw(new TestRecord<>(key, value, headers, router.now()));
    }

    /** A signed task re-published with an attempt of its own: the lane says what the router counts. */
    @Test
    void anAttemptHeaderOnTheApprovedRecordIsNotTheLanesAttempt() {
        int n = 0;
        for (String forged : List.of("7", "-3", "0", "2147483648", "one", "")) {
            Task task = task("attempt-" + n++, Crew.RESEARCH, 3, "research_topic", "topic " + n);
            Headers headers = TestSigning.signed(task);
            headers.add(EventHeaders.ATTEMPT, forged.getBytes(StandardCharsets.UTF_8));
            approved(task.id(), Topics.TASKS_APPROVED.valueSerde().serialize("", task), headers);

            TestRecord<String, byte[]> lane = only(router.lane(Crew.RESEARCH, 3));
            assertThat(lane.headers().headers(EventHeaders.ATTEMPT)).as("attempt headers for '%s'", forged).hasSize(1);
            assertThat(header(lane.headers(), EventHeaders.ATTEMPT)).as("forged '%s'", forged).isEqualTo("1");
            assertThat(TestSigning.verifier().refusal(lane.headers(), taskOf(lane))).isEmpty();
        }
    }

    @Test
    void aTombstoneNonUtf8OrHugeSignatureHeaderIsDeadLetteredAndTheNextTaskStillRoutes() {
        approved("tomb", null, new RecordHeaders());

        Task garbled = task("garbled", Crew.RESEARCH, 3, "research_topic", "garbled");
        Headers bad = new RecordHeaders();
        bad.add(EventHeaders.SIGNATURE, new byte[] {(byte) 0xff, (byte) 0xfe, 'v', '1', (byte) 0xc3});
        approved(garbled.id(), Topics.TASKS_APPROVED.valueSerde().serialize("", garbled), bad);

        Task padded = task("padded", Crew.RESEARCH, 3, "research_topic", "padded");
        Headers huge = TestSigning.signed(padded);
        byte[] filler = new byte[2 * 1024 * 1024];
        Arrays.fill(filler, (byte) ';');
        huge.add(EventHeaders.SIGNATURE, filler); // a second signature header: neither is read
        approved(padded.id(), Topics.TASKS_APPROVED.valueSerde().serialize("", padded), huge);

        Task good = task("good-after", Crew.RESEARCH, 3, "research_topic", "good");
        router.approveSigned(good);

        assertThat(router.lane(Crew.RESEARCH, 3)).extracting(TestRecord::key).containsExactly(good.id());
        List<TestRecord<String, byte[]>> dead = router.deadLetters();
        assertThat(dead).extracting(TestRecord::key).containsExactly("tomb", "garbled", "padded");
        assertThat(header(dead.get(0).headers(), DeadLetters.ERROR)).contains("tombstone");
        assertThat(header(dead.get(1).headers(), DeadLetters.ERROR)).contains("malformed hydra-signature");
        assertThat(header(dead.get(2).headers(), DeadLetters.ERROR)).contains("more than one hydra-signature header");
        assertThat(header(dead.get(2).headers(), DeadLetters.ERROR).length()).isLessThan(4_000);
    }

    /**
     * A task the constitution parked or denied was never signed; a copy of it on the approved topic,
     * also under the signature of another released task, never reaches a lane.
     */
    @Test
    void aRejectedOrParkedTaskCopiedToApprovedIsDeadLetteredEvenUnderAnotherTasksSignature() {
        Task released = task("released", Crew.RESEARCH, 3, "research_topic", "released");
        router.approveSigned(released);
        assertThat(only(router.lane(Crew.RESEARCH, 3)).key()).isEqualTo(released.id());

        Task rejected = doing("rejected", Crew.RESEARCH, 3, work("action", "drop_database", "database", "hydra"));
        approved(rejected.id(), Topics.TASKS_APPROVED.valueSerde().serialize("", rejected), new RecordHeaders());
        approved(rejected.id(), Topics.TASKS_APPROVED.valueSerde().serialize("", rejected), TestSigning.signed(released));
        Task underItsName = doing(released.id(), Crew.RESEARCH, 3, work("action", "drop_database", "database", "hydra"));
        approved(released.id(), Topics.TASKS_APPROVED.valueSerde().serialize("", underItsName),
                TestSigning.signed(released));

        assertThat(router.lane(Crew.RESEARCH, 3)).isEmpty();
        assertThat(router.deadLetters()).extracting(r -> header(r.headers(), DeadLetters.ERROR))
                .satisfiesExactly(
                        error -> assertThat(error).contains("no hydra-signature header"),
                        error -> assertThat(error).contains("does not cover this task rejected"),
                        error -> assertThat(error).contains("does not cover this task released"));
    }

    /**
     * The signed approved record of a task that ended, put on hydra.tasks.approved again: the router had
     * forgotten the task, so it routed it as new work, and since the crews skip an ended task without a
     * word, it stayed open for good, holding its resources and its fingerprint: every later task doing
     * the same work was dropped as its duplicate.
     */
    @Test
    void aFinishedTasksApprovalPutBackIsDeadLetteredAndDoesNotShutOutTheSameWorkLater() {
        Task done = task("done-once", Crew.RESEARCH, 3, "research_topic", "replayed");
        router.approveSigned(done);
        assertThat(only(router.lane(Crew.RESEARCH, 3)).key()).isEqualTo(done.id());
        router.report(done, dev.hydra.topics.events.TaskState.CLAIMED, 1);
        router.report(done, dev.hydra.topics.events.TaskState.COMPLETED, 1);

        router.approveSigned(done); // the same signed record, replayed
        assertThat(router.lane(Crew.RESEARCH, 3)).as("routed again").isEmpty();
        assertThat(router.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.key()).isEqualTo(done.id());
            assertThat(header(letter.headers(), DeadLetters.ERROR)).contains("already ended");
        });

        // A new proposal under the ended id (an assessor's gap still open after its task ended) is not
        // new work either, and no dead letter: the same work later comes under a new id.
        Task reproposed = new Task(done.id(), null, 3, 60, "proposed again", Crew.RESEARCH, done.task(), List.of(),
                List.of(), "test", done.createdAt().plusSeconds(300));
        router.approveSigned(reproposed);
        assertThat(router.lane(Crew.RESEARCH, 3)).isEmpty();
        assertThat(router.deadLetters()).isEmpty();

        Task again = task("same-work-later", Crew.RESEARCH, 3, "research_topic", "replayed");
        router.approveSigned(again);
        assertThat(router.lane(Crew.RESEARCH, 3)).extracting(TestRecord::key).containsExactly(again.id());
        assertThat(router.statesOf(again)).doesNotContain(dev.hydra.topics.events.TaskState.DUPLICATE);
    }

    private static Task doing(String id, Crew crew, int priority, java.util.Map<String, Object> work) {
        return RouterDriver.task(id, crew, priority, work, List.of(), List.of());
    }

    private static java.util.Map<String, Object> work(String k1, Object v1, String k2, Object v2) {
        return java.util.Map.of(k1, v1, k2, v2);
    }

    private static <T> T only(List<T> records) {
        assertThat(records).hasSize(1);
        return records.get(0);
    }
}
