package dev.hydra.topics.signing;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The one way tests put work straight onto hydra.tasks.approved, a crew lane or
 * hydra.toolcalls.approved: signed with a test key, as the constitution filter would sign it.
 * The key pair is generated once per test JVM into a temporary directory.
 */
public final class TestSigning {
    /** The constitution hash test signatures name (no real constitution is involved). */
    public static final String CONSTITUTION_SHA256 = "c".repeat(64);
    private static final Path PRIVATE_KEY = generate();
    private static final VerdictSigner SIGNER = VerdictSigner.load(PRIVATE_KEY);

    /** Each writer's (crew, router, operator) test key, generated once per test JVM. */
    private static final java.util.Map<String, WriterSigner> WRITERS = writers();

    private TestSigning() {
    }

    private static java.util.Map<String, WriterSigner> writers() {
        java.util.Map<String, WriterSigner> signers = new java.util.LinkedHashMap<>();
        for (String writer : WriterSignature.writers()) {
            Path key = PRIVATE_KEY.resolveSibling("writer-" + writer + "-ed25519.key");
            try {
                SigningKeys.ensure(key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            signers.put(writer, WriterSigner.load(writer, key));
        }
        return java.util.Map.copyOf(signers);
    }

    /** The test key of {@code writer} (a crew's wire name, {@link WriterSignature#ROUTER}, {@link WriterSignature#OPERATOR}). */
    public static WriterSigner writerSigner(String writer) {
        return java.util.Objects.requireNonNull(WRITERS.get(writer), writer);
    }

    /** The test key of {@code crew}, as its worker signs with it. */
    public static WriterSigner crewSigner(dev.hydra.topics.events.Crew crew) {
        return writerSigner(crew.wireName());
    }

    /**
     * Signs each record with the test key of the crew it names: for fixtures that stand in for every
     * crew at once (a real worker signs with its own crew's key only).
     */
    public static RecordSigner asTheCrewNamed() {
        return (headers, topic, key, value) -> crewSigner(WriterSignature.crewOf(value)).sign(headers, topic, key, value);
    }

    /** A verifier trusting every writer's test key. */
    public static WriterVerifier writerVerifier() {
        java.util.Map<String, java.util.List<java.security.PublicKey>> keys = new java.util.LinkedHashMap<>();
        for (String writer : WriterSignature.writers()) {
            keys.put(writer, java.util.List.of(SigningKeys.readPublic(SigningKeys.publicKeyBeside(
                    PRIVATE_KEY.resolveSibling("writer-" + writer + "-ed25519.key")))));
        }
        return new WriterVerifier(keys);
    }

    /** {@code headers} with {@code writer}'s test signature of {@code value} as the record of {@code topic} under {@code key}. */
    public static Headers writerSigned(String writer, dev.hydra.topics.Topic<?> topic, String key, Object value) {
        return writerSigner(writer).signed(dev.hydra.topics.EventHeaders.of(topic, key), topic.name(), key, value);
    }

    private static Path generate() {
        try {
            Path dir = Files.createTempDirectory("hydra-test-keys");
            Path key = dir.resolve("constitution-ed25519.key");
            SigningKeys.ensure(key);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static VerdictSigner signer() {
        return SIGNER;
    }

    /** The test private key file (its public key is {@link #publicKeyFile()}). */
    public static Path privateKeyFile() {
        return PRIVATE_KEY;
    }

    /** The test public key file, for a {@code signing.publicKeys} setting. */
    public static Path publicKeyFile() {
        return SigningKeys.publicKeyBeside(PRIVATE_KEY);
    }

    /** A verifier that trusts the test key only, for verdicts of the test constitution ({@link #CONSTITUTION_SHA256}). */
    public static VerdictVerifier verifier() {
        return verifier(CONSTITUTION_SHA256);
    }

    /** A verifier that trusts the test key only, for verdicts of these constitutions (a real filter's). */
    public static VerdictVerifier verifier(String... constitutionsInForce) {
        return VerdictVerifier.load(java.util.List.of(publicKeyFile()),
                ConstitutionsInForce.of(java.util.Set.of(constitutionsInForce)));
    }

    /** {@code headers} with the test key's signature of {@code task} added. */
    public static Headers signed(Headers headers, Task task) {
        return EventHeaders.put(headers, EventHeaders.SIGNATURE,
                SIGNER.sign(task, VerdictSignature.ALLOW, CONSTITUTION_SHA256).header());
    }

    public static Headers signed(Headers headers, ToolCall call) {
        return EventHeaders.put(headers, EventHeaders.SIGNATURE,
                SIGNER.sign(call, VerdictSignature.ALLOW, CONSTITUTION_SHA256).header());
    }

    public static Headers signed(Task task) {
        return signed(new RecordHeaders(), task);
    }

    public static Headers signed(ToolCall call) {
        return signed(new RecordHeaders(), call);
    }
}
