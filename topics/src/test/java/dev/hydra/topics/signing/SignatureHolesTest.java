package dev.hydra.topics.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the verifier that got through before it knew which constitutions are in force (H1).
 */
class SignatureHolesTest {
    private static final ToolCall CALL = new ToolCall("c-1", "t-1", Crew.DEVELOPMENT, "coder", "shell", "run",
            Map.of("command", "git push --force origin main"), List.of(), Instant.parse("2026-12-01T00:00:00Z"));

    /**
     * A call the old constitution allowed and the new one (tightened since, e.g. to park git push)
     * would not: its old signature is still accepted, because the verifier trusts whatever
     * constitution SHA a signature names. A signed record that was never executed (the executor was
     * down, the record is still in the topic, or it was copied off the topic) runs under rules that
     * are no longer in force, and so does every lane record the router re-publishes from its store.
     */
    @Test
    void aSignatureMadeUnderAConstitutionThatIsNoLongerInForceIsRefused() {
        String retired = "a".repeat(64);
        String current = TestSigning.CONSTITUTION_SHA256;
        String signedUnderRetired = TestSigning.signer().sign(CALL, VerdictSignature.ALLOW, retired).header();
        assertThat(current).isNotEqualTo(retired);

        assertThat(TestSigning.verifier().refusal(signedUnderRetired,
                dev.hydra.topics.events.SubjectKind.TOOL_CALL, CALL.id(), VerdictSignature.contentSha256(CALL)))
                .as("signed under constitution %s, but %s is in force", retired, current)
                .isPresent();
    }

    /** The verifiers of a running stack follow the constitution file: an edit retires what the old text released. */
    @Test
    void editingTheConstitutionFileRetiresTheVerdictsOfItsOldText(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("constitution.yaml");
        java.nio.file.Files.writeString(file, "immutable_constraints: [old]\n");
        String old = ConstitutionsInForce.sha256(java.nio.file.Files.readAllBytes(file));
        VerdictVerifier verifier = VerdictVerifier.load(List.of(TestSigning.publicKeyFile()), ConstitutionsInForce.file(file));
        String signedUnderOld = TestSigning.signer().sign(CALL, VerdictSignature.ALLOW, old).header();
        assertThat(verifier.refusal(signedUnderOld, dev.hydra.topics.events.SubjectKind.TOOL_CALL, CALL.id(),
                VerdictSignature.contentSha256(CALL))).isEmpty();

        java.nio.file.Files.writeString(file, "immutable_constraints: [old, tightened]\n");

        assertThat(verifier.refusal(signedUnderOld, dev.hydra.topics.events.SubjectKind.TOOL_CALL, CALL.id(),
                VerdictSignature.contentSha256(CALL))).hasValueSatisfying(why -> assertThat(why).contains("no longer in force"));
    }
}
