package dev.hydra.topics.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * Hostile inputs to the verifier: each tries to get something run that the constitution did not
 * sign for exactly that item. Every one here is refused (or, where noted, accepted because it
 * changes nothing the executor acts on). Attacks that get through are in {@link SignatureHolesTest}.
 */
class SignatureAttacksTest {
    private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");
    private static final ToolCall CALL = new ToolCall("c-1", "t-1", Crew.DEVELOPMENT, "coder", "shell", "run",
            Map.of("command", "ls"), List.of("workspace"), AT);
    private static final Task TASK = new Task("t-1", "development", 3, 50, "tidy the workspace", Crew.DEVELOPMENT,
            Map.of("action", "tidy", "path", "/workspace/src"), List.of("repo:hydra"), List.of(), "test", AT);

    private static final VerdictVerifier VERIFIER = TestSigning.verifier();

    private static Optional<String> check(Headers headers, ToolCall call) {
        return VERIFIER.refusal(headers, call);
    }

    private static Optional<String> check(Headers headers, Task task) {
        return VERIFIER.refusal(headers, task);
    }

    private static String header(ToolCall call) {
        return TestSigning.signer().sign(call, VerdictSignature.ALLOW, TestSigning.CONSTITUTION_SHA256).header();
    }

    private static Headers with(String... signatures) {
        Headers headers = new RecordHeaders();
        for (String signature : signatures) {
            headers.add(EventHeaders.SIGNATURE, signature == null ? null : signature.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    // --- a valid signature moved onto other work ---

    @Test
    void aToolCallSignatureCopiedOntoACallWithAnotherIdIsRefused() {
        ToolCall other = new ToolCall("c-2", CALL.taskId(), CALL.crew(), CALL.agent(), CALL.server(), CALL.tool(),
                CALL.arguments(), CALL.resources(), CALL.createdAt());
        assertThat(check(TestSigning.signed(CALL), other)).isPresent();
    }

    @Test
    void aToolCallSignatureCopiedOntoEveryOtherFieldChangeIsRefused() {
        Headers signed = TestSigning.signed(CALL);
        List<ToolCall> altered = List.of(
                CALL.withArguments(Map.of("command", "rm -rf /workspace")),
                CALL.withArguments(Map.of("command", "ls", "cwd", "/")),
                new ToolCall(CALL.id(), "t-other", CALL.crew(), CALL.agent(), CALL.server(), CALL.tool(),
                        CALL.arguments(), CALL.resources(), AT),
                new ToolCall(CALL.id(), CALL.taskId(), Crew.INFRASTRUCTURE, CALL.agent(), CALL.server(), CALL.tool(),
                        CALL.arguments(), CALL.resources(), AT),
                new ToolCall(CALL.id(), CALL.taskId(), CALL.crew(), "other-agent", CALL.server(), CALL.tool(),
                        CALL.arguments(), CALL.resources(), AT),
                new ToolCall(CALL.id(), CALL.taskId(), CALL.crew(), CALL.agent(), "postgres-mcp", CALL.tool(),
                        CALL.arguments(), CALL.resources(), AT),
                new ToolCall(CALL.id(), CALL.taskId(), CALL.crew(), CALL.agent(), CALL.server(), "exec",
                        CALL.arguments(), CALL.resources(), AT),
                new ToolCall(CALL.id(), CALL.taskId(), CALL.crew(), CALL.agent(), CALL.server(), CALL.tool(),
                        CALL.arguments(), List.of("db:prod"), AT),
                new ToolCall(CALL.id(), CALL.taskId(), CALL.crew(), CALL.agent(), CALL.server(), CALL.tool(),
                        CALL.arguments(), CALL.resources(), AT.plusSeconds(1)));
        assertThat(altered).allSatisfy(call -> assertThat(check(signed, call)).as(call.toString()).isPresent());
    }

    @Test
    void aDryRunCallsSignatureDoesNotReleaseTheSameCallForReal() {
        ToolCall dryRun = new ToolCall(CALL.id(), CALL.taskId(), CALL.crew(), CALL.agent(), CALL.server(), CALL.tool(),
                CALL.arguments(), CALL.resources(), AT, new Replay("run-1", "c-0", true));
        ToolCall forReal = new ToolCall(CALL.id(), CALL.taskId(), CALL.crew(), CALL.agent(), CALL.server(),
                CALL.tool(), CALL.arguments(), CALL.resources(), AT, new Replay("run-1", "c-0", false));
        assertThat(check(TestSigning.signed(dryRun), forReal)).isPresent();
        assertThat(check(TestSigning.signed(dryRun), CALL)).as("replay marker dropped").isPresent();
    }

    @Test
    void aTaskSignatureCopiedOntoOtherCrewPayloadResourcesOrReplayIsRefused() {
        Headers signed = TestSigning.signed(TASK);
        List<Task> altered = List.of(
                new Task(TASK.id(), TASK.type(), 3, 50, TASK.description(), Crew.INFRASTRUCTURE, TASK.task(),
                        TASK.resources(), TASK.requires(), TASK.source(), AT),
                TASK.withText(TASK.description(), Map.of("action", "restart_service", "service", "postgres")),
                TASK.withText(TASK.description(), Map.of("action", "tidy", "path", "/")),
                TASK.withText("delete everything", TASK.task()),
                new Task(TASK.id(), TASK.type(), 3, 50, TASK.description(), TASK.crew(), TASK.task(),
                        List.of("db:prod"), TASK.requires(), TASK.source(), AT),
                new Task(TASK.id(), TASK.type(), 3, 99, TASK.description(), TASK.crew(), TASK.task(),
                        TASK.resources(), TASK.requires(), TASK.source(), AT),
                new Task(TASK.id(), TASK.type(), 3, 50, TASK.description(), TASK.crew(), TASK.task(),
                        TASK.resources(), List.of("gpu"), TASK.source(), AT),
                TASK.replayed(TASK.id(), new Replay("run-1", TASK.id(), false), AT));
        assertThat(altered).allSatisfy(task -> assertThat(check(signed, task)).as(task.toString()).isPresent());
    }

    @Test
    void aTaskSignatureDoesNotVerifyAToolCallWithTheSameIdAndContentHash() {
        // The same id and the same content hash under the other kind: the kind is part of what is signed.
        String contentHash = VerdictSignature.contentSha256(CALL);
        String taskSignature = TestSigning.signer().sign(SubjectKind.TASK, CALL.id(), VerdictSignature.ALLOW,
                contentHash, TestSigning.CONSTITUTION_SHA256).header();
        assertThat(VERIFIER.refusal(taskSignature, SubjectKind.TOOL_CALL, CALL.id(), contentHash)).isPresent();
        assertThat(check(with(taskSignature), CALL)).isPresent();
    }

    @Test
    void onlyThePriorityOfASignedTaskMayChangeAndThatChangesWhenNotWhat() {
        assertThat(check(TestSigning.signed(TASK), TASK.withPriority(1))).isEmpty();
    }

    // --- the header itself ---

    @Test
    void aSignatureWhoseVerdictOrConstitutionWasRewrittenIsRefused() {
        String valid = header(CALL);
        assertThat(check(with(valid.replace("verdict=ALLOW", "verdict=APPROVED")), CALL)).isPresent();
        assertThat(check(with(valid.replace("constitution=" + TestSigning.CONSTITUTION_SHA256,
                "constitution=" + "d".repeat(64))), CALL)).isPresent();
    }

    @Test
    void twoSignatureHeadersFirstValidLastForgedAreRefused() {
        // The verifier reads the last header; a valid one in front does not help a forged one behind.
        assertThat(check(with(header(CALL), "v1;kid=0000000000000000;verdict=ALLOW;constitution="
                + TestSigning.CONSTITUTION_SHA256 + ";sig=AAAA"), CALL)).isPresent();
        ToolCall evil = CALL.withArguments(Map.of("command", "rm -rf /workspace"));
        assertThat(check(with(header(CALL), header(CALL)), evil)).isPresent();
    }

    @Test
    void twoSignatureHeadersFirstForgedLastValidAreRefusedTooSinceNoReaderMayPickADifferentOne() {
        // EventHeaders.get reads the last header, a tool reading the first would see the forged one:
        // a released item carries exactly one signature header (WriterSignatureAttacksTest, the same rule)
        assertThat(check(with("garbage", header(CALL)), CALL)).hasValueSatisfying(why ->
                assertThat(why).contains("more than one hydra-signature header"));
        assertThat(check(with(header(CALL), header(CALL)), CALL)).isPresent();
        ToolCall evil = CALL.withArguments(Map.of("command", "rm -rf /workspace"));
        assertThat(check(with(header(evil), header(CALL)), evil)).as("the last one is for another call").isPresent();
    }

    @Test
    void aHeaderWithANullOrEmptyValueIsRefused() {
        assertThat(check(with((String) null), CALL))
                .hasValueSatisfying(why -> assertThat(why).contains("no hydra-signature"));
        assertThat(check(with(""), CALL)).hasValueSatisfying(why -> assertThat(why).contains("malformed"));
        // a null header behind a valid one hides it: still refused, not an exception
        assertThat(check(with(header(CALL), null), CALL)).isPresent();
    }

    @Test
    void malformedHeadersAreRefusedWithAReasonNeverAnException() {
        String valid = header(CALL);
        String sig = valid.substring(valid.indexOf(";sig=") + 5);
        String kid = TestSigning.signer().keyId();
        List<String> malformed = List.of(
                "v2" + valid.substring(2),
                valid + ";",
                valid + ";extra=1",
                valid.replace(";sig=" + sig, ";sig=" + sig + "!!"),
                valid.replace(";sig=" + sig, ";sig=" + sig.substring(0, 10)),
                valid.replace(";sig=" + sig, ";sig="),
                valid.replace("kid=" + kid, "kid=" + kid.toUpperCase()),
                valid.replace("kid=" + kid, "kid=" + kid + "0"),
                valid.replace("verdict=ALLOW", "verdict=allow"),
                valid.replace("verdict=ALLOW", "verdict=DENY"),
                valid.replace("verdict=ALLOW", "verdict=NEEDS_APPROVAL"),
                valid.replace(";kid=", ";KID="),
                valid.replace("kid=" + kid + ";", "kid=" + kid + ";kid=" + kid + ";"),
                "v1;kid=" + kid + ";verdict=ALLOW;constitution=" + TestSigning.CONSTITUTION_SHA256 + ";sig="
                        + Base64.getEncoder().encodeToString(new byte[1 << 20]),
                "v1;" + ";".repeat(100_000),
                "\u0000",
                "v1;kid=" + kid + ";verdict=ALLOW;constitution=" + TestSigning.CONSTITUTION_SHA256 + ";sig="
                        + sig.replace('=', '\u00bd'));
        assertThat(malformed).allSatisfy(bad -> assertThat(check(with(bad), CALL)).as(abbreviate(bad)).isPresent());
    }

    @Test
    void fieldsOfTheHeaderInAnotherOrderStillNeedTheRightSignature() {
        String valid = header(CALL);
        VerdictSignature parsed = VerdictSignature.parse(valid);
        String reordered = "v1;sig=" + Base64.getEncoder().encodeToString(parsed.signature()) + ";constitution="
                + parsed.constitutionSha256() + ";verdict=" + parsed.verdict() + ";kid=" + parsed.keyId();
        // the same signed facts in another order: accepted for this call, never for another
        assertThat(check(with(reordered), CALL)).isEmpty();
        assertThat(check(with(reordered), CALL.withArguments(Map.of("command", "id")))).isPresent();
    }

    @Test
    void aSignatureByAnUntrustedKeyIsRefusedAlsoUnderTheTrustedKeysId() throws Exception {
        KeyPair mallory = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        VerdictSigner forger = new VerdictSigner(mallory.getPrivate(), mallory.getPublic());
        String own = forger.sign(CALL, VerdictSignature.ALLOW, TestSigning.CONSTITUTION_SHA256).header();
        assertThat(check(with(own), CALL)).hasValueSatisfying(why -> assertThat(why).contains("not trusted"));
        String spoofedKid = own.replace("kid=" + forger.keyId(), "kid=" + TestSigning.signer().keyId());
        assertThat(check(with(spoofedKid), CALL)).hasValueSatisfying(why -> assertThat(why).contains("does not cover"));
    }

    @Test
    void aKeyRetiredFromTheTrustedSetNoLongerReleasesAnything() throws Exception {
        KeyPair next = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        VerdictVerifier rotated = new VerdictVerifier(List.of(next.getPublic()), ConstitutionsInForce.of(java.util.Set.of(TestSigning.CONSTITUTION_SHA256)));
        assertThat(rotated.refusal(TestSigning.signed(CALL), CALL))
                .hasValueSatisfying(why -> assertThat(why).contains("not trusted"));
    }

    @Test
    void aMalleatedSignatureWithTheGroupOrderAddedToSIsRefused() {
        // Ed25519 signatures are R || S with S little-endian; S + L is the classic malleability.
        byte[] signature = VerdictSignature.parse(header(CALL)).signature();
        BigInteger order = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
        byte[] sLittle = java.util.Arrays.copyOfRange(signature, 32, 64);
        BigInteger s = new BigInteger(1, reverse(sLittle)).add(order);
        byte[] sBig = s.toByteArray();
        byte[] sNew = new byte[32];
        for (int i = 0; i < Math.min(32, sBig.length); i++) {
            sNew[i] = sBig[sBig.length - 1 - i];
        }
        byte[] malleated = signature.clone();
        System.arraycopy(sNew, 0, malleated, 32, 32);
        VerdictSignature parsed = VerdictSignature.parse(header(CALL));
        String forged = new VerdictSignature(parsed.keyId(), parsed.verdict(), parsed.constitutionSha256(), malleated)
                .header();
        assertThat(check(with(forged), CALL)).isPresent();
    }

    // --- JSON that reads differently from what was signed ---

    private static ToolCall read(String json) {
        return Topics.TOOLCALLS_APPROVED.valueSerde().deserialize(Topics.TOOLCALLS_APPROVED.name(),
                json.getBytes(StandardCharsets.UTF_8));
    }

    private static String json(String arguments) {
        return "{\"id\":\"c-1\",\"taskId\":\"t-1\",\"crew\":\"development\",\"agent\":\"coder\",\"server\":\"shell\","
                + "\"tool\":\"run\",\"arguments\":" + arguments + ",\"resources\":[\"workspace\"],"
                + "\"createdAt\":\"2026-12-01T00:00:00Z\"}";
    }

    @Test
    void theSignedCallReadBackFromItsJsonVerifies() {
        assertThat(read(json("{\"command\":\"ls\"}"))).isEqualTo(CALL);
        assertThat(check(TestSigning.signed(CALL), read(json("{\"command\":\"ls\"}")))).isEmpty();
    }

    @Test
    void aDuplicateJsonKeyWhoseLastValueIsNotTheSignedOneIsRefused() {
        // Jackson keeps the last value: that is what would run, and that is what is hashed.
        ToolCall duplicate = read(json("{\"command\":\"ls\",\"command\":\"rm -rf /workspace\"}"));
        assertThat(duplicate.arguments()).containsEntry("command", "rm -rf /workspace");
        assertThat(check(TestSigning.signed(CALL), duplicate)).isPresent();
        ToolCall duplicateField = read(json("{\"command\":\"ls\"}").replace("\"server\":\"shell\",",
                "\"server\":\"shell\",\"server\":\"postgres-mcp\","));
        assertThat(check(TestSigning.signed(CALL), duplicateField)).isPresent();
    }

    @Test
    void unicodeEscapesAndFieldOrderThatMeanTheSameCallVerifyBecauseTheySayTheSameThing() {
        ToolCall escaped = read(json("{\"command\":\"\\u006cs\"}"));
        assertThat(escaped).isEqualTo(CALL);
        assertThat(check(TestSigning.signed(CALL), escaped)).isEmpty();
    }

    @Test
    void numberFormsThatDeserialiseToOtherValuesAreRefused() {
        ToolCall one = CALL.withArguments(Map.of("command", "ls", "count", 1));
        Headers signed = TestSigning.signed(one);
        assertThat(check(signed, read(json("{\"command\":\"ls\",\"count\":1}")))).isEmpty();
        assertThat(check(signed, read(json("{\"command\":\"ls\",\"count\":1.0}")))).isPresent();
        assertThat(check(signed, read(json("{\"command\":\"ls\",\"count\":\"1\"}")))).isPresent();
        assertThat(check(signed, read(json("{\"command\":\"ls\",\"count\":10e-1}")))).isPresent();
    }

    @Test
    void unknownExtraFieldsAreDroppedOnReadSoTheyNeitherRunNorBreakTheSignature() {
        ToolCall extra = read(json("{\"command\":\"ls\"}").replace("\"server\":\"shell\",",
                "\"server\":\"shell\",\"shellCommand\":\"rm -rf /\",\"sudo\":true,"));
        assertThat(extra).isEqualTo(CALL);
        assertThat(check(TestSigning.signed(CALL), extra)).isEmpty();
    }

    @Test
    void anArgumentHiddenInAnUnknownNestedFieldIsPartOfTheArgumentsAndSoOfTheHash() {
        ToolCall nested = read(json("{\"command\":\"ls\",\"env\":{\"LD_PRELOAD\":\"/tmp/x.so\"}}"));
        assertThat(check(TestSigning.signed(CALL), nested)).isPresent();
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "…(" + text.length() + " chars)" : text;
    }

    private static byte[] reverse(byte[] bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[bytes.length - 1 - i];
        }
        return out;
    }
}
