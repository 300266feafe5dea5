package dev.hydra.topics.signing;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topics;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Headers;

/**
 * Signs what one writer (a crew, the router, the operator) puts on the topics whose records name a
 * crew: {@link #SIGNED_TOPICS}. A crew process holds its own private key only.
 */
public final class WriterSigner implements RecordSigner {
    /** The topics every record of which carries a writer's signature. */
    public static final Set<String> SIGNED_TOPICS = Set.of(Topics.TASK_STATUS.name(), Topics.TASK_RESULTS.name(),
            Topics.TOOLCALLS_REQUESTED.name());

    private final String writer;
    private final PrivateKey key;
    private final String keyId;

    public WriterSigner(String writer, PrivateKey key, PublicKey publicKey) {
        this.writer = writer;
        this.key = key;
        this.keyId = SigningKeys.keyId(publicKey);
        WriterSignature probe = sign("probe", writer, dev.hydra.topics.events.Crew.RESEARCH, "0".repeat(64), "probe");
        if (!new WriterVerifier(Map.of(writer, List.of(publicKey))).verifies(probe, "probe",
                dev.hydra.topics.events.Crew.RESEARCH, "0".repeat(64), "probe")) {
            throw new IllegalArgumentException("the private key of " + writer + " does not belong to its public key "
                    + keyId);
        }
    }

    /** The private key at {@code privateKeyFile} with its public key beside it ({@link SigningKeys#publicKeyBeside}). */
    public static WriterSigner load(String writer, Path privateKeyFile) {
        return new WriterSigner(writer, SigningKeys.readPrivate(privateKeyFile),
                SigningKeys.readPublic(SigningKeys.publicKeyBeside(privateKeyFile)));
    }

    public String writer() {
        return writer;
    }

    public String keyId() {
        return keyId;
    }

    /** True if records of {@code topic} are signed. */
    public static boolean signs(String topic) {
        return SIGNED_TOPICS.contains(topic);
    }

    /** The signature of {@code value} as the record of {@code topic} under {@code key}. */
    public WriterSignature sign(String topic, String key, Object value) {
        return sign(topic, writer, WriterSignature.crewOf(value), WriterSignature.contentSha256(value), key);
    }

    /** {@code headers} with the signature of {@code value} as the record of {@code topic} under {@code key} (replaced). */
    public Headers signed(Headers headers, String topic, String key, Object value) {
        return EventHeaders.put(headers, EventHeaders.CREW_SIGNATURE, sign(topic, key, value).header());
    }

    @Override
    public void sign(Headers headers, String topic, String key, Object value) {
        signed(headers, topic, key, value);
    }

    private WriterSignature sign(String topic, String by, dev.hydra.topics.events.Crew crew, String contentSha256,
                                 String recordKey) {
        return new WriterSignature(by, keyId, Ed25519.sign(key, WriterSignature.message(topic, by, crew, contentSha256,
                recordKey)));
    }
}
