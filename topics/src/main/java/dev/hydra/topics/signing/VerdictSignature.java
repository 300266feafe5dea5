package dev.hydra.topics.signing;

import dev.hydra.topics.ContentHash;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The constitution's signature on one released item, as it travels in the {@code hydra-signature}
 * header ({@link dev.hydra.topics.EventHeaders#SIGNATURE}):
 *
 * <pre>v1;kid=&lt;key id&gt;;verdict=ALLOW|APPROVED;constitution=&lt;sha256&gt;;sig=&lt;base64 Ed25519 signature&gt;</pre>
 *
 * <p>The signature covers {@link #message}: the subject kind, the item's id, the verdict, the item's
 * content hash ({@link #contentSha256}) and the constitution's SHA-256. The key id is the first 16
 * hex digits of the SHA-256 of the public key (X.509 encoding), so a verifier holding several keys
 * (rotation) knows which one to try. {@code verdict} is {@code ALLOW} when the constitution allowed
 * the item and {@code APPROVED} when an approver released it.
 */
public record VerdictSignature(String keyId, String verdict, String constitutionSha256, byte[] signature) {
    public static final String VERSION = "v1";
    public static final String ALLOW = "ALLOW";
    public static final String APPROVED = "APPROVED";

    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public VerdictSignature {
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("kid must be 16 lowercase hex digits, was '" + keyId + "'");
        }
        if (!ALLOW.equals(verdict) && !APPROVED.equals(verdict)) {
            throw new IllegalArgumentException("verdict must be ALLOW or APPROVED, was '" + verdict + "'");
        }
        if (!SHA256.matcher(constitutionSha256).matches()) {
            throw new IllegalArgumentException("constitution must be a SHA-256 in hex, was '" + constitutionSha256 + "'");
        }
    }

    /** Parses a header value; the message of the exception names the part that is wrong. */
    public static VerdictSignature parse(String header) {
        HeaderFields fields = HeaderFields.parse(header, VERSION, 5, VERSION + ";kid=…;verdict=…;constitution=…;sig=…");
        byte[] signature = fields.signature();
        return new VerdictSignature(fields.required("kid"), fields.required("verdict"), fields.required("constitution"),
                signature);
    }

    public String header() {
        return VERSION + ";kid=" + keyId + ";verdict=" + verdict + ";constitution=" + constitutionSha256 + ";sig="
                + Base64.getEncoder().encodeToString(signature);
    }

    /**
     * The bytes signed. Every field after the id has a fixed alphabet without newlines, so the
     * string reads back unambiguously whatever the id holds.
     */
    public static byte[] message(SubjectKind kind, String id, String verdict, String contentSha256,
                                 String constitutionSha256) {
        return ("hydra-verdict-" + VERSION + "\n" + kind.name() + "\n" + id + "\n" + verdict + "\n" + contentSha256
                + "\n" + constitutionSha256).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What a task's signature covers: its content hash without {@code priority}, which the router
     * may raise (aging promotes a waiting task to a more urgent lane). The priority decides when a
     * task runs, not what it does.
     */
    public static String contentSha256(Task task) {
        Map<String, Object> content = ContentHash.asMap(task);
        content.remove("priority");
        return ContentHash.of(content);
    }

    /** What a tool call's signature covers: its whole content hash. */
    public static String contentSha256(ToolCall call) {
        return ContentHash.of(ContentHash.asMap(call));
    }
}
