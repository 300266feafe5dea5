package dev.hydra.topics.signing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * Ed25519 (RFC 8032) signatures of every Hydra signer and verifier, computed with Bouncy Castle's
 * implementation. The JDK 17 provider's took about 600 µs to sign and 480 µs to verify here (JMH,
 * {@code SignatureBenchmark}); with a verdict, three crew reports and their checks on every task that
 * was most of the pipeline's CPU. The signatures are the same bytes either way (Ed25519 is
 * deterministic), so keys stay the JDK's PEM files and a signature made by either verifies with both.
 */
public final class Ed25519 {
    /**
     * How many parsed keys are kept at most. A process trusts a handful (its own, the filter's, one per
     * writer and rotation); past the limit the cache starts over rather than growing with every key ever seen.
     */
    static final int CACHE_LIMIT = 256;

    /**
     * The parsed form of each key, made once: parsing the encoding costs about as much as a signature.
     * Keyed by the key's kind and encoded bytes, never by the {@link Key} object: a {@code Key}
     * implementation's equals and hashCode are its own (identity, or lax), and must neither make the cache
     * grow with each re-read of the same key nor hand one key's parameters to another.
     */
    private static final Map<CacheKey, AsymmetricKeyParameter> PARAMETERS = new ConcurrentHashMap<>();

    private record CacheKey(boolean isPrivate, ByteBuffer encoding) {
    }

    private Ed25519() {
    }

    static int cachedKeys() {
        return PARAMETERS.size();
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, parameters(key, true));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** False for a wrong signature, one of the wrong length or shape, or a key that is not Ed25519. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        if (signature == null || signature.length != Ed25519PrivateKeyParameters.SIGNATURE_SIZE) {
            return false;
        }
        AsymmetricKeyParameter parameters;
        try {
            parameters = parameters(key, false);
        } catch (IllegalArgumentException e) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, parameters);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    private static AsymmetricKeyParameter parameters(Key key, boolean isPrivate) {
        byte[] encoded = key == null ? null : key.getEncoded();
        if (encoded == null) {
            throw new IllegalArgumentException("not an Ed25519 key: " + (key == null ? "no key" : key.getAlgorithm() + " with no encoding"));
        }
        CacheKey cacheKey = new CacheKey(isPrivate, ByteBuffer.wrap(encoded));
        AsymmetricKeyParameter cached = PARAMETERS.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        AsymmetricKeyParameter parsed;
        try {
            parsed = isPrivate ? PrivateKeyFactory.createKey(encoded) : PublicKeyFactory.createKey(encoded);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not an Ed25519 key: " + key.getAlgorithm() + " (" + e.getMessage() + ")", e);
        }
        if (isPrivate ? !(parsed instanceof Ed25519PrivateKeyParameters) : !(parsed instanceof Ed25519PublicKeyParameters)) {
            throw new IllegalArgumentException("not an Ed25519 key: " + key.getAlgorithm());
        }
        if (PARAMETERS.size() >= CACHE_LIMIT) {
            PARAMETERS.clear();
        }
        PARAMETERS.putIfAbsent(cacheKey, parsed);
        return parsed;
    }
}
