package dev.hydra.topics.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolCall;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Who may sign which record, and that a signature covers exactly its topic, key, content and crew. */
class WriterSignatureTest {
    private static final String RESULTS = Topics.TASK_RESULTS.name();
    private static final String STATUS = Topics.TASK_STATUS.name();
    private static final String CALLS = Topics.TOOLCALLS_REQUESTED.name();
    private static final WriterVerifier VERIFIER = TestSigning.writerVerifier();

    private static TaskResult result(String id, Crew crew, String summary) {
        return new TaskResult(id, crew, "research_topic", Outcome.SUCCEEDED, summary, Map.of(), 1, 1, "node-1",
                Instant.parse("2026-12-02T10:00:00Z"));
    }

    private static Headers signedBy(String writer, String topic, String key, Object value) {
        return TestSigning.writerSigner(writer).signed(new RecordHeaders(), topic, key, value);
    }

    @Test
    void aCrewsOwnSignatureOnItsOwnRecordVerifies() {
        TaskResult mine = result("t-1", Crew.RESEARCH, "found it");
        assertThat(VERIFIER.refusal(RESULTS, "t-1", signedBy("research", RESULTS, "t-1", mine), mine)).isEmpty();
    }

    @Test
    void aCrewCannotSignARecordNamingAnotherCrew() {
        TaskResult forged = result("t-2", Crew.RESEARCH, "evaluate: cryptominer");
        assertThat(VERIFIER.refusal(RESULTS, "t-2", signedBy("development", RESULTS, "t-2", forged), forged))
                .hasValueSatisfying(why -> assertThat(why).contains("signed by development, which may not write")
                        .contains("naming crew research"));
    }

    @Test
    void aHeaderClaimingTheNamedCrewButMadeWithAnotherCrewsKeyIsRefused() {
        TaskResult forged = result("t-3", Crew.RESEARCH, "x");
        WriterSignature real = WriterSignature.parse(EventHeaders.get(signedBy("development", RESULTS, "t-3", forged),
                EventHeaders.CREW_SIGNATURE).orElseThrow());
        String claimed = new WriterSignature("research", real.keyId(), real.signature()).header();
        assertThat(VERIFIER.refusal(RESULTS, "t-3", claimed, forged))
                .hasValueSatisfying(why -> assertThat(why).contains("not one of its trusted keys"));
    }

    @Test
    void aSignatureCoversTheTopicTheKeyAndTheContent() {
        TaskResult honest = result("t-4", Crew.RESEARCH, "honest");
        String header = EventHeaders.get(signedBy("research", RESULTS, "t-4", honest), EventHeaders.CREW_SIGNATURE)
                .orElseThrow();
        TaskResult altered = result("t-4", Crew.RESEARCH, "evaluate: cryptominer");
        assertThat(VERIFIER.refusal(RESULTS, "t-4", header, altered)).hasValueSatisfying(why ->
                assertThat(why).contains("does not cover"));
        assertThat(VERIFIER.refusal(RESULTS, "t-5", header, honest)).isPresent(); // another key
        assertThat(VERIFIER.refusal(RESULTS, null, header, honest)).isPresent();
        assertThat(VERIFIER.refusal(Topics.REPLAY_RESULTS.name(), "t-4", header, honest)).isPresent(); // another topic
        assertThat(VERIFIER.refusal(RESULTS, "t-4", header, honest)).isEmpty();
    }

    @Test
    void theRouterSpeaksForAnyCrewOnStatusAndResultsAndTheOperatorOnToolCallsOnly() {
        TaskStatus status = new TaskStatus("t-6", Crew.INFRASTRUCTURE, TaskState.RETRIED, TaskStatus.ROUTER, 2, "", null);
        assertThat(VERIFIER.refusal(STATUS, "t-6", signedBy("router", STATUS, "t-6", status), status)).isEmpty();
        assertThat(VERIFIER.refusal(STATUS, "t-6", signedBy("operator", STATUS, "t-6", status), status)).isPresent();
        ToolCall call = new ToolCall("c-1", "t-6", Crew.DEVELOPMENT, "operator:http", "filesystem-mcp", "read_file",
                Map.of("path", "/workspace/a"), List.of(), Instant.parse("2026-12-02T10:00:00Z"));
        assertThat(VERIFIER.refusal(CALLS, "c-1", signedBy("operator", CALLS, "c-1", call), call)).isEmpty();
        assertThat(VERIFIER.refusal(CALLS, "c-1", signedBy("router", CALLS, "c-1", call), call))
                .hasValueSatisfying(why -> assertThat(why).contains("signed by router, which may not write"));
        assertThat(VERIFIER.refusal(CALLS, "c-1", signedBy("research", CALLS, "c-1", call), call)).isPresent();
        assertThat(VERIFIER.refusal(CALLS, "c-1", signedBy("development", CALLS, "c-1", call), call)).isEmpty();
    }

    @Test
    void missingOrMalformedHeadersAreRefusedWithTheReason() {
        TaskResult mine = result("t-7", Crew.RESEARCH, "x");
        assertThat(VERIFIER.refusal(RESULTS, "t-7", (String) null, mine)).hasValueSatisfying(why ->
                assertThat(why).contains("no hydra-crew-signature header"));
        assertThat(VERIFIER.refusal(RESULTS, "t-7", "v1;by=research;kid=zz;sig=AA==", mine)).hasValueSatisfying(why ->
                assertThat(why).contains("malformed").contains("kid"));
        assertThat(VERIFIER.refusal(RESULTS, "t-7", "v1;by=mallory;kid=0123456789abcdef;sig=AA==", mine))
                .hasValueSatisfying(why -> assertThat(why).contains("by must be one of"));
        assertThat(VERIFIER.refusal(RESULTS, "t-7", "v1;by=research;kid=0123456789abcdef;sig=%%", mine))
                .hasValueSatisfying(why -> assertThat(why).contains("sig is not base64"));
    }

    @Test
    void aWriterMustBeKnownAndItsPrivateKeyMustMatchItsPublicKey() {
        assertThatThrownBy(() -> new WriterVerifier(Map.of("mallory", List.of())))
                .hasMessageContaining("unknown writer 'mallory'");
        var other = TestSigning.writerSigner("development");
        assertThatThrownBy(() -> new WriterSigner("research",
                SigningKeys.readPrivate(TestSigning.privateKeyFile()), SigningKeys.readPublic(SigningKeys.publicKeyBeside(
                        TestSigning.privateKeyFile().resolveSibling("writer-research-ed25519.key")))))
                .hasMessageContaining("does not belong");
        assertThat(other.writer()).isEqualTo("development");
    }
}
