package dev.hydra.topics.signing;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;

/**
 * Checks who wrote a record of {@code hydra.tasks.status}, {@code hydra.tasks.results} or
 * {@code hydra.toolcalls.requested}: its {@code hydra-crew-signature} must verify with a public key
 * of its writer, over exactly this topic, key and content, and the writer must be allowed to speak
 * for the crew the record names:
 * <ul>
 *   <li>a crew for itself only;</li>
 *   <li>the router ({@link WriterSignature#ROUTER}) for any crew on the status and results topics
 *       (it reports on every task it routes, and writes the FAILED result of a task it gave up on);</li>
 *   <li>the operator ({@link WriterSignature#OPERATOR}) for any crew on the tool-call topic (a person's
 *       call through the console, a replay by {@code ./hydra}).</li>
 * </ul>
 * Each writer may have several public keys at once (rotation).
 */
public final class WriterVerifier {
    private final Map<String, Map<String, PublicKey>> keys = new LinkedHashMap<>();

    public WriterVerifier(Map<String, ? extends Collection<PublicKey>> trusted) {
        trusted.forEach((writer, publicKeys) -> {
            if (!WriterSignature.writers().contains(writer)) {
                throw new IllegalArgumentException("unknown writer '" + writer + "': one of " + WriterSignature.writers());
            }
            Map<String, PublicKey> byId = new LinkedHashMap<>();
            publicKeys.forEach(key -> byId.put(SigningKeys.keyId(SigningKeys.requireUsable(key,
                    "a public key of writer " + writer)), key));
            keys.put(writer, byId);
        });
    }

    /** Trusts, per writer, the public keys in these PEM files. */
    public static WriterVerifier load(Map<String, List<Path>> publicKeyFiles) {
        Map<String, List<PublicKey>> keys = new LinkedHashMap<>();
        publicKeyFiles.forEach((writer, files) -> keys.put(writer, files.stream().map(SigningKeys::readPublic).toList()));
        return new WriterVerifier(keys);
    }

    /** The writers this verifier has keys for, with their key ids. */
    public Map<String, List<String>> keyIds() {
        Map<String, List<String>> ids = new LinkedHashMap<>();
        keys.forEach((writer, byId) -> ids.put(writer, List.copyOf(byId.keySet())));
        return ids;
    }

    /** True if {@code writer} may sign a record of {@code topic} that names {@code crew}. */
    public static boolean mayWrite(String writer, String topic, Crew crew) {
        if (writer.equals(crew.wireName())) {
            return true;
        }
        if (writer.equals(WriterSignature.ROUTER)) {
            return topic.equals(Topics.TASK_STATUS.name()) || topic.equals(Topics.TASK_RESULTS.name());
        }
        return writer.equals(WriterSignature.OPERATOR) && topic.equals(Topics.TOOLCALLS_REQUESTED.name());
    }

    /**
     * Why the record ({@code value} under {@code key} on {@code topic}, with these headers) is not trusted, or empty.
     * A record carries exactly one {@code hydra-crew-signature} header: with two, one reader could take the
     * first and another the last, so neither is read.
     */
    public Optional<String> refusal(String topic, String key, Headers headers, Object value) {
        int count = EventHeaders.count(headers, EventHeaders.CREW_SIGNATURE);
        if (count > 1) {
            return Optional.of(count + " " + EventHeaders.CREW_SIGNATURE + " headers: a record carries exactly one");
        }
        return refusal(topic, key, EventHeaders.get(headers, EventHeaders.CREW_SIGNATURE).orElse(null), value);
    }

    /** The writer whose signature this record verifies under, or empty (then {@link #refusal} says why). */
    public Optional<String> verifiedWriter(String topic, String key, Headers headers, Object value) {
        if (refusal(topic, key, headers, value).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(WriterSignature.parse(EventHeaders.get(headers, EventHeaders.CREW_SIGNATURE).orElseThrow())
                .writer());
    }

    public Optional<String> refusal(String topic, String key, String header, Object value) {
        if (value == null) {
            return Optional.of("a " + topic + " record without a value (a tombstone) names no crew and is never "
                    + "signed: ignored");
        }
        if (!WriterSigner.signs(topic)) {
            return Optional.of(topic + " is not a signed topic: one of " + WriterSigner.SIGNED_TOPICS);
        }
        Crew crew;
        try {
            crew = WriterSignature.crewOf(value);
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage() + " on " + topic);
        }
        Optional<String> keyMismatch = WriterSignature.keyRefusal(topic, key, value);
        if (keyMismatch.isPresent()) {
            return keyMismatch;
        }
        if (header == null) {
            return Optional.of("no " + EventHeaders.CREW_SIGNATURE + " header: nothing proves that crew " + crew
                    + " wrote this " + topic + " record");
        }
        WriterSignature signature;
        try {
            signature = WriterSignature.parse(header);
        } catch (IllegalArgumentException e) {
            return Optional.of("malformed " + EventHeaders.CREW_SIGNATURE + " header: " + e.getMessage());
        }
        if (!mayWrite(signature.writer(), topic, crew)) {
            return Optional.of("signed by " + signature.writer() + ", which may not write a " + topic
                    + " record naming crew " + crew);
        }
        Map<String, PublicKey> trusted = keys.getOrDefault(signature.writer(), Map.of());
        if (!trusted.containsKey(signature.keyId())) {
            return Optional.of("signed by " + signature.writer() + " with key " + signature.keyId()
                    + ", which is not one of its trusted keys " + trusted.keySet());
        }
        String content = WriterSignature.contentSha256(value);
        if (verifies(signature, topic, crew, content, key)) {
            return Optional.empty();
        }
        return Optional.of("the signature of " + signature.writer() + " (key " + signature.keyId() + ") does not cover"
                + " this " + topic + " record (key " + key + ", crew " + crew + ", content " + content
                + "): altered after it was signed, or signed for another record");
    }

    boolean verifies(WriterSignature signature, String topic, Crew crew, String contentSha256, String key) {
        PublicKey publicKey = keys.getOrDefault(signature.writer(), Map.of()).get(signature.keyId());
        if (publicKey == null) {
            return false;
        }
        // a signature of the wrong length or shape is as bad as a wrong one
        return Ed25519.verify(publicKey, WriterSignature.message(topic, signature.writer(), crew, contentSha256, key),
                signature.signature());
    }
}
