package dev.hydra.topics.signing;

import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;

/**
 * Signs released items with the constitution's private key. Only the constitution filter holds one
 * (and tests, with a key of their own); everything else verifies with {@link VerdictVerifier}.
 */
public final class VerdictSigner {
    private final PrivateKey key;
    private final String keyId;

    public VerdictSigner(PrivateKey key, PublicKey publicKey) {
        this.key = key;
        this.keyId = SigningKeys.keyId(publicKey);
        // A private key that does not belong to the public key would sign what nobody can verify.
        VerdictSignature probe = sign(SubjectKind.TASK, "probe", VerdictSignature.ALLOW, "0".repeat(64), "0".repeat(64));
        if (new VerdictVerifier(List.of(publicKey), ConstitutionsInForce.of(java.util.Set.of("0".repeat(64))))
                .refusal(probe.header(), SubjectKind.TASK, "probe", "0".repeat(64)).isPresent()) {
            throw new IllegalArgumentException("the private key does not belong to the public key " + keyId);
        }
    }

    /** The private key at {@code privateKeyFile} with its public key beside it ({@link SigningKeys#publicKeyBeside}). */
    public static VerdictSigner load(Path privateKeyFile) {
        return new VerdictSigner(SigningKeys.readPrivate(privateKeyFile),
                SigningKeys.readPublic(SigningKeys.publicKeyBeside(privateKeyFile)));
    }

    public String keyId() {
        return keyId;
    }

    /** The signature of a released task ({@code verdict} ALLOW or APPROVED). */
    public VerdictSignature sign(Task task, String verdict, String constitutionSha256) {
        return sign(SubjectKind.TASK, task.id(), verdict, VerdictSignature.contentSha256(task), constitutionSha256);
    }

    /** The signature of a released tool call ({@code verdict} ALLOW or APPROVED). */
    public VerdictSignature sign(ToolCall call, String verdict, String constitutionSha256) {
        return sign(SubjectKind.TOOL_CALL, call.id(), verdict, VerdictSignature.contentSha256(call), constitutionSha256);
    }

    public VerdictSignature sign(SubjectKind kind, String id, String verdict, String contentSha256,
                                 String constitutionSha256) {
        return new VerdictSignature(keyId, verdict, constitutionSha256,
                Ed25519.sign(key, VerdictSignature.message(kind, id, verdict, contentSha256, constitutionSha256)));
    }
}
