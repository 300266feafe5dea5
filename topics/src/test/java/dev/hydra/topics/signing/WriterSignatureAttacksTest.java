package dev.hydra.topics.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolCall;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile crew process against the per-writer signatures: it holds its own private key (research's,
 * here) and may write every signed topic. Each family below was tried as such a process would; the
 * verifier must refuse it with a reason and never attribute the record to the crew it names.
 */
class WriterSignatureAttacksTest {
    private static final String RESULTS = Topics.TASK_RESULTS.name();
    private static final String STATUS = Topics.TASK_STATUS.name();
    private static final String CALLS = Topics.TOOLCALLS_REQUESTED.name();
    private static final Instant AT = Instant.parse("2026-12-02T10:00:00Z");
    private static final WriterVerifier VERIFIER = TestSigning.writerVerifier();

    private static TaskResult result(String id, Crew crew) {
        return new TaskResult(id, crew, "research_topic", Outcome.SUCCEEDED, "done", Map.of(), 1, 1, "node-1", AT);
    }

    private static TaskStatus status(String id, Crew crew, TaskState state) {
        return new TaskStatus(id, crew, state, "node-1", 1, "", AT);
    }

    private static ToolCall call(String id, String task, Crew crew) {
        return new ToolCall(id, task, crew, "researcher", "memory", "core_memory_append",
                Map.of("block", "research_findings", "text", "x"), List.of(), AT);
    }

    private static String header(String writer, String topic, String key, Object value) {
        return TestSigning.writerSigner(writer).sign(topic, key, value).header();
    }

    private static Headers headers(String... values) {
        Headers headers = new RecordHeaders();
        for (String value : values) {
            headers.add(EventHeaders.CREW_SIGNATURE, value.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    // --- duplicated headers: every reader must read the same one, so none is read

    @Test
    void twoCrewSignatureHeadersAreRefusedWhicheverOrderTheyComeIn() {
        TaskResult forged = result("t-dup", Crew.DEVELOPMENT);
        String honest = header("development", RESULTS, "t-dup", forged); // copied from a real record
        String mine = header("research", RESULTS, "t-dup", forged);
        for (Headers twice : List.of(headers(mine, honest), headers(honest, mine), headers(honest, honest))) {
            assertThat(VERIFIER.refusal(RESULTS, "t-dup", twice, forged)).hasValueSatisfying(why ->
                    assertThat(why).contains("2 hydra-crew-signature headers"));
            assertThat(VERIFIER.verifiedWriter(RESULTS, "t-dup", twice, forged)).isEmpty();
        }
        assertThat(VERIFIER.verifiedWriter(RESULTS, "t-dup", headers(honest), forged)).hasValue("development");
    }

    @Test
    void twoVerdictSignatureHeadersAreRefusedToo() {
        Task task = new Task("t-verdict", null, 3, 50, "tidy", Crew.DEVELOPMENT, Map.of("action", "tidy"),
                List.of(), List.of(), "test", AT);
        Headers signed = TestSigning.signed(task);
        String real = EventHeaders.get(signed, EventHeaders.SIGNATURE).orElseThrow();
        Headers twice = new RecordHeaders();
        twice.add(EventHeaders.SIGNATURE, "v1;garbage".getBytes(StandardCharsets.UTF_8));
        twice.add(EventHeaders.SIGNATURE, real.getBytes(StandardCharsets.UTF_8));
        assertThat(TestSigning.verifier().refusal(signed, task)).isEmpty();
        assertThat(TestSigning.verifier().refusal(twice, task)).hasValueSatisfying(why ->
                assertThat(why).contains("more than one hydra-signature header"));
    }

    // --- one spelling per header: case, whitespace, extra or repeated fields, other versions, base64 variants

    @Test
    void aSignatureHeaderReadsOnlyAsItsSignerWroteIt() {
        TaskResult mine = result("t-spell", Crew.RESEARCH);
        String good = header("research", RESULTS, "t-spell", mine);
        assertThat(VERIFIER.refusal(RESULTS, "t-spell", good, mine)).isEmpty();
        String sig = good.substring(good.indexOf(";sig=") + 5);
        String kid = TestSigning.writerSigner("research").keyId();
        for (String variant : List.of(
                good.replace("v1;", "V1;"), good.replace("v1;", "v2;"), " " + good, good + " ", good + ";",
                good.replace("by=research", "by=Research"), good.replace("by=research", "by= research"),
                good.replace(";kid=", "; kid="), good + ";extra=1",
                "v1;by=research;by=research;sig=" + sig, "v1;kid=" + kid + ";kid=" + kid + ";sig=" + sig,
                good.substring(0, good.length() - 2), // the padding dropped: Java's decoder would take it
                good.replace(sig, sig.substring(0, 84) + flipLowBits(sig.charAt(84)) + sig.substring(85)),
                good.replace(sig, Base64.getMimeEncoder().encodeToString(Base64.getDecoder().decode(sig))),
                good.replace(sig, Base64.getUrlEncoder().encodeToString(Base64.getDecoder().decode(sig))))) {
            if (variant.equals(good)) {
                continue; // a url-safe spelling of a signature without '+' or '/' is the same text
            }
            assertThat(VERIFIER.refusal(RESULTS, "t-spell", variant, mine)).as(variant).isPresent();
        }
    }

    /** The last base64 character of a 64-byte value carries 2 unused bits: setting one keeps the bytes. */
    private static char flipLowBits(char c) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        return alphabet.charAt(alphabet.indexOf(c) ^ 1);
    }

    @Test
    void aGiantHeaderIsRefusedByItsLengthBeforeItIsDecoded() {
        TaskResult mine = result("t-giant", Crew.RESEARCH);
        String good = header("research", RESULTS, "t-giant", mine);
        String giant = good.replace(";sig=", ";sig=" + "A".repeat(1_000_000));
        assertThat(VERIFIER.refusal(RESULTS, "t-giant", giant, mine)).hasValueSatisfying(why ->
                assertThat(why).contains("at most 512").doesNotContain("AAAA"));
    }

    // --- claimed identities: by=router with a crew key, a kid of another writer, writer/crew confusion

    @Test
    void aCrewKeyCannotPassForTheRouterOrTheOperator() {
        TaskStatus stop = new TaskStatus("t-victim", Crew.DEVELOPMENT, TaskState.INTERRUPTED, TaskStatus.ROUTER, 1,
                "stopped", AT);
        WriterSignature mine = TestSigning.writerSigner("research").sign(STATUS, "t-victim", stop);
        String routerKid = TestSigning.writerSigner("router").keyId();
        // by=router with research's kid: not a router key; with the router's kid: research's bytes do not verify
        assertThat(VERIFIER.refusal(STATUS, "t-victim", new WriterSignature("router", mine.keyId(), mine.signature())
                .header(), stop)).hasValueSatisfying(why -> assertThat(why).contains("not one of its trusted keys"));
        assertThat(VERIFIER.refusal(STATUS, "t-victim", new WriterSignature("router", routerKid, mine.signature())
                .header(), stop)).hasValueSatisfying(why -> assertThat(why).contains("does not cover"));
        // by=research with the router's kid: research may not speak for development at all
        assertThat(VERIFIER.refusal(STATUS, "t-victim", new WriterSignature("research", routerKid, mine.signature())
                .header(), stop)).hasValueSatisfying(why -> assertThat(why).contains("may not write"));
        ToolCall theirs = call("c-victim", "t-victim", Crew.DEVELOPMENT);
        WriterSignature onCall = TestSigning.writerSigner("research").sign(CALLS, "c-victim", theirs);
        assertThat(VERIFIER.refusal(CALLS, "c-victim", new WriterSignature("operator",
                TestSigning.writerSigner("operator").keyId(), onCall.signature()).header(), theirs)).isPresent();
    }

    @Test
    void whoMaySpeakForWhichCrewOnWhichTopic() {
        TaskStatus status = status("t-rights", Crew.DEVELOPMENT, TaskState.COMPLETED);
        TaskResult result = result("t-rights", Crew.DEVELOPMENT);
        ToolCall call = call("c-rights", "t-rights", Crew.DEVELOPMENT);
        assertThat(VERIFIER.refusal(STATUS, "t-rights", header("research", STATUS, "t-rights", status), status))
                .isPresent();
        assertThat(VERIFIER.refusal(STATUS, "t-rights", header("operator", STATUS, "t-rights", status), status))
                .hasValueSatisfying(why -> assertThat(why).contains("signed by operator, which may not write"));
        assertThat(VERIFIER.refusal(RESULTS, "t-rights", header("operator", RESULTS, "t-rights", result), result))
                .hasValueSatisfying(why -> assertThat(why).contains("signed by operator, which may not write"));
        assertThat(VERIFIER.refusal(CALLS, "c-rights", header("router", CALLS, "c-rights", call), call))
                .hasValueSatisfying(why -> assertThat(why).contains("signed by router, which may not write"));
        assertThat(VERIFIER.refusal(STATUS, "t-rights", header("router", STATUS, "t-rights", status), status)).isEmpty();
        assertThat(VERIFIER.refusal(RESULTS, "t-rights", header("router", RESULTS, "t-rights", result), result)).isEmpty();
        assertThat(VERIFIER.refusal(CALLS, "c-rights", header("operator", CALLS, "c-rights", call), call)).isEmpty();
    }

    // --- the key and the id inside the value

    @Test
    void aRecordMustBeKeyedByTheIdItsReadersActOn() {
        // research signs its own status, result and call, but under another task's key: signed, yet refused
        TaskStatus status = status("t-mine", Crew.RESEARCH, TaskState.COMPLETED);
        TaskResult result = result("t-mine", Crew.RESEARCH);
        ToolCall call = call("c-mine", "t-mine", Crew.RESEARCH);
        assertThat(VERIFIER.refusal(STATUS, "t-theirs", header("research", STATUS, "t-theirs", status), status))
                .hasValueSatisfying(why -> assertThat(why).contains("keyed 't-theirs'").contains("task id 't-mine'"));
        assertThat(VERIFIER.refusal(RESULTS, "t-theirs", header("research", RESULTS, "t-theirs", result), result))
                .hasValueSatisfying(why -> assertThat(why).contains("keyed 't-theirs'"));
        assertThat(VERIFIER.refusal(CALLS, "c-theirs", header("research", CALLS, "c-theirs", call), call))
                .hasValueSatisfying(why -> assertThat(why).contains("its id 'c-mine' or its task id 't-mine'"));
        assertThat(VERIFIER.refusal(RESULTS, null, header("research", RESULTS, null, result), result))
                .hasValueSatisfying(why -> assertThat(why).contains("without a key"));
        // as the workers, the gateway and the replays key them
        assertThat(VERIFIER.refusal(STATUS, "t-mine", header("research", STATUS, "t-mine", status), status)).isEmpty();
        assertThat(VERIFIER.refusal(CALLS, "c-mine", header("research", CALLS, "c-mine", call), call)).isEmpty();
        assertThat(VERIFIER.refusal(CALLS, "t-mine", header("research", CALLS, "t-mine", call), call)).isEmpty();
    }

    // --- moved signatures: between topics, between status and results, between tasks

    @Test
    void aSignatureDoesNotMoveToAnotherTopicOrTask() {
        TaskStatus done = new TaskStatus("t-a", Crew.DEVELOPMENT, TaskState.FAILED, TaskStatus.ROUTER, 1, "gave up", AT);
        String router = header("router", STATUS, "t-a", done);
        assertThat(VERIFIER.refusal(RESULTS, "t-a", router, done)).hasValueSatisfying(why ->
                assertThat(why).contains("does not cover"));
        assertThat(VERIFIER.refusal(Topics.TASKS_APPROVED.name(), "t-a", router, done)).hasValueSatisfying(why ->
                assertThat(why).contains("not a signed topic"));
        TaskStatus other = new TaskStatus("t-b", Crew.DEVELOPMENT, TaskState.FAILED, TaskStatus.ROUTER, 1, "gave up", AT);
        assertThat(VERIFIER.refusal(STATUS, "t-b", router, other)).hasValueSatisfying(why ->
                assertThat(why).contains("does not cover"));
        TaskResult result = result("t-a", Crew.DEVELOPMENT);
        assertThat(VERIFIER.refusal(RESULTS, "t-a", header("router", RESULTS, "t-a", result), result)).isEmpty();
        assertThat(VERIFIER.refusal(STATUS, "t-a", header("router", RESULTS, "t-a", result), done)).isPresent();
    }

    /**
     * A byte-identical copy of a signed record verifies: the signature proves who wrote it, not when
     * or how often. What bounds a replay is each reader's own rule (the ledger keeps the highest attempt,
     * the filter runs a tool call id once, the router acts once per task and attempt); this pins that
     * the verifier does not pretend otherwise, and that a replay cannot be bent to another task or attempt.
     */
    @Test
    void aReplayVerifiesOnlyAsTheSameRecordOfTheSameTaskAndAttempt() {
        TaskStatus claimed = new TaskStatus("t-old", Crew.DEVELOPMENT, TaskState.CLAIMED, "node-1", 1, "", AT);
        String header = header("development", STATUS, "t-old", claimed);
        assertThat(VERIFIER.refusal(STATUS, "t-old", headers(header), claimed)).isEmpty();
        TaskStatus laterAttempt = new TaskStatus("t-old", Crew.DEVELOPMENT, TaskState.CLAIMED, "node-1", 2, "", AT);
        assertThat(VERIFIER.refusal(STATUS, "t-old", header, laterAttempt)).isPresent();
        TaskStatus now = new TaskStatus("t-old", Crew.DEVELOPMENT, TaskState.CLAIMED, "node-1", 1, "", Instant.now());
        assertThat(VERIFIER.refusal(STATUS, "t-old", header, now)).isPresent();
    }

    // --- no value

    @Test
    void aTombstoneIsRefusedWithAReasonNotAnException() {
        String any = header("research", RESULTS, "t-x", result("t-x", Crew.RESEARCH));
        for (String topic : List.of(STATUS, RESULTS, CALLS)) {
            assertThat(VERIFIER.refusal(topic, "t-x", headers(any), null)).hasValueSatisfying(why ->
                    assertThat(why).contains("without a value (a tombstone)"));
            assertThat(VERIFIER.refusal(topic, "t-x", (String) null, null)).isPresent();
        }
        assertThat(VERIFIER.refusal(RESULTS, "t-x", headers(any), "not a record")).hasValueSatisfying(why ->
                assertThat(why).contains("no crew signature for a String"));
    }

    // --- keys no private key makes

    private static final String X509_ED25519_PREFIX = "302a300506032b6570032100";

    /** The identity, the point of order 2, and a non-canonical spelling of the identity (y = p + 1). */
    private static final List<String> SMALL_ORDER = List.of(
            "01" + "00".repeat(31),
            "ec" + "ff".repeat(30) + "7f",
            "ee" + "ff".repeat(30) + "7f",
            "00".repeat(32));

    @Test
    void aSmallOrderOrIdentityPublicKeyFileIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        for (String point : SMALL_ORDER) {
            Path file = dir.resolve("weak-" + point.substring(0, 4) + ".pub");
            byte[] der = HexFormat.of().parseHex(X509_ED25519_PREFIX + point);
            Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(der)
                    + "\n-----END PUBLIC KEY-----\n");
            assertThatThrownBy(() -> SigningKeys.readPublic(file)).as(point)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("identity, of small order or not canonically encoded");
        }
        assertThat(SigningKeys.readPublic(TestSigning.publicKeyFile())).isNotNull();
    }

    @Test
    void aVerifierGivenASmallOrderKeyDirectlyRefusesItToo() throws Exception {
        PublicKey identity;
        try {
            identity = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
                    HexFormat.of().parseHex(X509_ED25519_PREFIX + SMALL_ORDER.get(0))));
        } catch (java.security.GeneralSecurityException e) {
            return; // a JDK that refuses the identity itself leaves nothing to refuse here
        }
        PublicKey weak = identity;
        assertThatThrownBy(() -> new WriterVerifier(Map.of("research", List.of(weak))))
                .hasMessageContaining("a public key of writer research");
        assertThatThrownBy(() -> new VerdictVerifier(List.of(weak), ConstitutionsInForce.of(java.util.Set.of(TestSigning.CONSTITUTION_SHA256))))
                .hasMessageContaining("a trusted verdict key");
    }
}
