package dev.hydra.topics.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the verifier that get through on the current code: each test states what should
 * happen and fails until the hole is closed (see the red-team report for the fix).
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
    @Disabled("open (issue 12): verifiers do not know which constitutions are in force; until they do, rotate the signing key when the constitution changes")
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
}
