package dev.hydra.topics.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerdictVerifierTest {
    private static final Task TASK = new Task("t-1", null, 3, 50, "tidy the workspace", Crew.DEVELOPMENT,
            Map.of("action", "tidy"), List.of(), List.of(), "test", Instant.parse("2026-12-01T00:00:00Z"));
    private static final ToolCall CALL = new ToolCall("c-1", "t-1", Crew.DEVELOPMENT, "coder", "shell", "run",
            Map.of("command", "ls"), List.of(), Instant.parse("2026-12-01T00:00:00Z"));

    @TempDir
    Path dir;

    @Test
    void acceptsWhatTheTrustedKeySigned() {
        assertThat(TestSigning.verifier().refusal(TestSigning.signed(TASK), TASK)).isEmpty();
        assertThat(TestSigning.verifier().refusal(TestSigning.signed(CALL), CALL)).isEmpty();
    }

    @Test
    void refusesARecordWithoutSignature() {
        assertThat(TestSigning.verifier().refusal(new RecordHeaders(), CALL))
                .hasValueSatisfying(why -> assertThat(why).contains("no hydra-signature header"));
    }

    @Test
    void refusesAToolCallAlteredAfterSigning() {
        Headers headers = TestSigning.signed(CALL);
        ToolCall altered = CALL.withArguments(Map.of("command", "rm -rf /workspace"));
        assertThat(TestSigning.verifier().refusal(headers, altered))
                .hasValueSatisfying(why -> assertThat(why).contains("altered after it was signed"));
    }

    @Test
    void refusesASignatureMovedToAnotherItem() {
        Task other = new Task("t-2", null, 3, 50, "tidy the workspace", Crew.DEVELOPMENT, Map.of("action", "tidy"),
                List.of(), List.of(), "test", TASK.createdAt());
        assertThat(TestSigning.verifier().refusal(TestSigning.signed(TASK), other)).isPresent();
    }

    @Test
    void aTaskPromotedByTheRouterStillVerifies() {
        assertThat(TestSigning.verifier().refusal(TestSigning.signed(TASK), TASK.withPriority(1))).isEmpty();
    }

    @Test
    void refusesAKeyItDoesNotTrust() throws Exception {
        Path other = dir.resolve("other.key");
        SigningKeys.ensure(other);
        VerdictSigner stranger = VerdictSigner.load(other);
        Headers headers = EventHeaders.put(new RecordHeaders(), EventHeaders.SIGNATURE,
                stranger.sign(CALL, VerdictSignature.ALLOW, TestSigning.CONSTITUTION_SHA256).header());
        assertThat(TestSigning.verifier().refusal(headers, CALL))
                .hasValueSatisfying(why -> assertThat(why).contains(stranger.keyId()).contains("not trusted"));
    }

    @Test
    void aRotatedKeySetAcceptsTheOldAndTheNewKey() throws Exception {
        Path newKey = dir.resolve("new.key");
        SigningKeys.ensure(newKey);
        VerdictSigner rotated = VerdictSigner.load(newKey);
        VerdictVerifier both = VerdictVerifier.load(List.of(TestSigning.publicKeyFile(), SigningKeys.publicKeyBeside(newKey)),
                ConstitutionsInForce.of(java.util.Set.of(TestSigning.CONSTITUTION_SHA256)));
        Headers byNew = EventHeaders.put(new RecordHeaders(), EventHeaders.SIGNATURE,
                rotated.sign(TASK, VerdictSignature.APPROVED, TestSigning.CONSTITUTION_SHA256).header());
        assertThat(both.refusal(TestSigning.signed(TASK), TASK)).isEmpty();
        assertThat(both.refusal(byNew, TASK)).isEmpty();
        assertThat(TestSigning.verifier().refusal(byNew, TASK)).isPresent();
    }

    @Test
    void refusesAMalformedHeaderNamingWhatIsWrong() {
        Headers headers = EventHeaders.put(new RecordHeaders(), EventHeaders.SIGNATURE, "v1;kid=zz;verdict=ALLOW");
        assertThat(TestSigning.verifier().refusal(headers, TASK))
                .hasValueSatisfying(why -> assertThat(why).startsWith("malformed hydra-signature header"));
    }

    @Test
    void theHeaderReadsBackAsWritten() {
        VerdictSignature signature = TestSigning.signer().sign(CALL, VerdictSignature.APPROVED, TestSigning.CONSTITUTION_SHA256);
        VerdictSignature parsed = VerdictSignature.parse(signature.header());
        assertThat(parsed.keyId()).isEqualTo(signature.keyId());
        assertThat(parsed.verdict()).isEqualTo("APPROVED");
        assertThat(parsed.signature()).isEqualTo(signature.signature());
        assertThatThrownBy(() -> VerdictSignature.parse("v1;kid=0123456789abcdef;verdict=DENY;constitution="
                + "c".repeat(64) + ";sig=AA==")).hasMessageContaining("verdict must be ALLOW or APPROVED");
    }

    @Test
    void generatedPrivateKeyIsReadableByItsOwnerOnly() throws Exception {
        Path key = dir.resolve("keys").resolve("constitution-ed25519.key");
        assertThat(SigningKeys.ensure(key)).isTrue();
        assertThat(SigningKeys.ensure(key)).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(SigningKeys.publicKeyBeside(key))).startsWith("-----BEGIN PUBLIC KEY-----");
    }

    @Test
    void aSignerRefusesAPrivateKeyThatIsNotItsPublicKeys() throws Exception {
        Path other = dir.resolve("other.key");
        SigningKeys.ensure(other);
        assertThatThrownBy(() -> new VerdictSigner(SigningKeys.readPrivate(other),
                SigningKeys.readPublic(TestSigning.publicKeyFile()))).hasMessageContaining("does not belong");
    }
}
