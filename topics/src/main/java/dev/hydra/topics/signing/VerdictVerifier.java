package dev.hydra.topics.signing;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;

/**
 * Checks, where work is executed, that a record is what the constitution released: it carries a
 * {@code hydra-signature} by one of the trusted public keys over exactly this item. Several keys are
 * trusted at once so that a key can be rotated: verifiers trust the old and the new key until no
 * record signed with the old one is left. A signature also names the constitution it was made under,
 * and only verdicts of a constitution {@linkplain ConstitutionsInForce in force} are accepted.
 */
public final class VerdictVerifier {
    private static final String DUPLICATED = "more than one " + EventHeaders.SIGNATURE
            + " header: a released item carries exactly one";
    private final Map<String, PublicKey> keys = new LinkedHashMap<>();
    private final ConstitutionsInForce inForce;

    public VerdictVerifier(Collection<PublicKey> trusted, ConstitutionsInForce inForce) {
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("a verifier needs at least one trusted public key");
        }
        trusted.forEach(key -> keys.put(SigningKeys.keyId(SigningKeys.requireUsable(key, "a trusted verdict key")), key));
        this.inForce = inForce;
    }

    /** Trusts the public keys in these PEM files, for verdicts of the constitutions in force. */
    public static VerdictVerifier load(List<Path> publicKeyFiles, ConstitutionsInForce inForce) {
        return new VerdictVerifier(publicKeyFiles.stream().map(SigningKeys::readPublic).toList(), inForce);
    }

    /** The ids of the trusted keys. */
    public List<String> keyIds() {
        return List.copyOf(keys.keySet());
    }

    /** Why the task on a lane record must not run, or empty when its signature verifies. */
    public Optional<String> refusal(Headers headers, Task task) {
        if (EventHeaders.count(headers, EventHeaders.SIGNATURE) > 1) {
            return Optional.of(DUPLICATED);
        }
        return refusal(EventHeaders.get(headers, EventHeaders.SIGNATURE).orElse(null), SubjectKind.TASK, task.id(),
                VerdictSignature.contentSha256(task));
    }

    /** Why the approved tool call must not run, or empty when its signature verifies. */
    public Optional<String> refusal(Headers headers, ToolCall call) {
        if (EventHeaders.count(headers, EventHeaders.SIGNATURE) > 1) {
            return Optional.of(DUPLICATED);
        }
        return refusal(EventHeaders.get(headers, EventHeaders.SIGNATURE).orElse(null), SubjectKind.TOOL_CALL,
                call.id(), VerdictSignature.contentSha256(call));
    }

    /** Why an item with this header must not run, or empty when the signature verifies. */
    public Optional<String> refusal(String header, SubjectKind kind, String id, String contentSha256) {
        if (header == null) {
            return Optional.of("no " + EventHeaders.SIGNATURE + " header: not released by the constitution filter");
        }
        VerdictSignature signature;
        try {
            signature = VerdictSignature.parse(header);
        } catch (IllegalArgumentException e) {
            return Optional.of("malformed " + EventHeaders.SIGNATURE + " header: " + e.getMessage());
        }
        PublicKey key = keys.get(signature.keyId());
        if (key == null) {
            return Optional.of("signed with key " + signature.keyId() + ", which is not trusted (trusted: "
                    + keys.keySet() + ")");
        }
        // a signature of the wrong length or shape is as bad as a wrong one
        if (Ed25519.verify(key, VerdictSignature.message(kind, id, signature.verdict(), contentSha256,
                signature.constitutionSha256()), signature.signature())) {
            // Only a verified signature's constitution is worth comparing: anyone can write a name.
            java.util.Set<String> current = inForce.now();
            return current.contains(signature.constitutionSha256()) ? Optional.empty()
                    : Optional.of("released under constitution " + signature.constitutionSha256()
                    + ", which is no longer in force (in force: " + current + "): its rules may park or deny it now");
        }
        return Optional.of("the signature (key " + signature.keyId() + ") does not cover this " + noun(kind) + " "
                + id + " (content " + contentSha256 + "): it was altered after it was signed, or signed for another item");
    }

    private static String noun(SubjectKind kind) {
        return kind == SubjectKind.TOOL_CALL ? "tool call" : "task";
    }
}
