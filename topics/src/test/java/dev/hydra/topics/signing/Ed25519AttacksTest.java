package dev.hydra.topics.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile producer's attacks on {@link Ed25519}: it can put any bytes in the {@code hydra-signature}
 * and {@code hydra-crew-signature} headers. Each test fails on a hole. Where the JDK 17 provider is a
 * reference, the test also checks that Hydra never accepts what the JDK rejects.
 */
class Ed25519AttacksTest {
    private static final byte[] MESSAGE = "hydra-verdict-v1\ntool_call\ncall-1\nALLOW\nabc\ndef".getBytes(StandardCharsets.UTF_8);
    /** The order of the base point, RFC 8032's L. */
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    /** The X.509 prefix of an Ed25519 public key: the 32 raw bytes follow. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    /** Encodings of the eight small-order points (and non-canonical twins), after the usual lists of weak keys. */
    private static final List<String> SMALL_ORDER = List.of(
            "0100000000000000000000000000000000000000000000000000000000000000", // identity, order 1
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // (0, -1), order 2
            "0000000000000000000000000000000000000000000000000000000000000000", // order 4
            "0000000000000000000000000000000000000000000000000000000000000080", // order 4
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
            "0100000000000000000000000000000000000000000000000000000000000080", // identity, sign bit set
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p + 1 (identity, non-canonical)
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // y = p (order 4, non-canonical)

    private static boolean jdkVerifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature jdk = Signature.getInstance("Ed25519");
            jdk.initVerify(key);
            jdk.update(message);
            return jdk.verify(signature);
        } catch (Exception e) {
            return false;
        }
    }

    private static byte[] jdkSign(PrivateKey key, byte[] message) throws Exception {
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initSign(key);
        jdk.update(message);
        return jdk.sign();
    }

    private static BigInteger littleEndian(byte[] bytes, int from) {
        byte[] big = new byte[32];
        for (int i = 0; i < 32; i++) {
            big[31 - i] = bytes[from + i];
        }
        return new BigInteger(1, big);
    }

    private static byte[] withS(byte[] signature, BigInteger s) {
        byte[] out = signature.clone();
        byte[] big = s.toByteArray();
        Arrays.fill(out, 32, 64, (byte) 0);
        for (int i = 0; i < big.length && i < 32; i++) {
            out[32 + i] = big[big.length - 1 - i];
        }
        return out;
    }

    private static byte[] concat(byte[] r, byte[] s) {
        byte[] out = Arrays.copyOf(r, 64);
        System.arraycopy(s, 0, out, 32, 32);
        return out;
    }

    private static byte[] filled(int value) {
        byte[] out = new byte[32];
        Arrays.fill(out, (byte) value);
        return out;
    }

    private static PublicKey rawPublic(byte[] raw) throws Exception {
        byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + 32);
        System.arraycopy(raw, 0, encoded, X509_PREFIX.length, 32);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    }

    @Test
    void malleatedAndForgedSignaturesOnAnHonestKeyVerifyWithNeither() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] good = Ed25519.sign(pair.getPrivate(), MESSAGE);
        BigInteger s = littleEndian(good, 32);
        byte[] r = Arrays.copyOf(good, 32);

        Map<String, byte[]> attacks = new LinkedHashMap<>();
        attacks.put("S + L (non-canonical S, same point)", withS(good, s.add(L)));
        attacks.put("S + 2L", withS(good, s.add(L.shiftLeft(1))));
        attacks.put("S = L", withS(good, L));
        attacks.put("S = 2^256 - 1", concat(r, filled(0xFF)));
        attacks.put("S = 0", concat(r, new byte[32]));
        attacks.put("R = 0, S = 0 (all zero)", new byte[64]);
        attacks.put("R and S all 0xFF", concat(filled(0xFF), filled(0xFF)));
        attacks.put("R = 0xFF.., good S", concat(filled(0xFF), Arrays.copyOfRange(good, 32, 64)));
        attacks.put("R with the sign bit flipped", flip(good, 31, 0x80));
        attacks.put("R not on the curve (y = 2)", concat(yOnly(2), Arrays.copyOfRange(good, 32, 64)));
        attacks.put("S with the top bit set (S + 2^255)", flip(good, 63, 0x80));
        for (String point : SMALL_ORDER) {
            byte[] smallR = HexFormat.of().parseHex(point);
            attacks.put("small-order R " + point + ", S = 0", concat(smallR, new byte[32]));
            attacks.put("small-order R " + point + ", good S", concat(smallR, Arrays.copyOfRange(good, 32, 64)));
        }

        List<String> acceptedByUs = new ArrayList<>();
        List<String> acceptedByJdk = new ArrayList<>();
        for (Map.Entry<String, byte[]> attack : attacks.entrySet()) {
            if (Ed25519.verify(pair.getPublic(), MESSAGE, attack.getValue())) {
                acceptedByUs.add(attack.getKey());
            }
            if (jdkVerifies(pair.getPublic(), MESSAGE, attack.getValue())) {
                acceptedByJdk.add(attack.getKey());
            }
        }
        assertThat(acceptedByUs).as("forgeries Hydra's Ed25519 accepts").isEmpty();
        assertThat(acceptedByJdk).as("forgeries the JDK accepts").isEmpty();
        assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, good)).isTrue();
    }

    @Test
    void aSmallOrderOrIdentityPublicKeyTrustedByMistakeVerifiesNothing() throws Exception {
        byte[] identity = HexFormat.of().parseHex(SMALL_ORDER.get(0));
        // the universal forgery: with A = identity, R = identity and S = 0 satisfy [S]B = R + [k]A for every message
        byte[] universal = concat(identity, new byte[32]);
        List<String> acceptedByUs = new ArrayList<>();
        List<String> keysTheJdkParses = new ArrayList<>();
        for (String point : SMALL_ORDER) {
            PublicKey weak;
            try {
                weak = rawPublic(HexFormat.of().parseHex(point));
                keysTheJdkParses.add(point);
            } catch (Exception e) {
                continue;
            }
            for (String m : List.of("a", "b", "c", "d", "hydra")) {
                byte[] message = m.getBytes(StandardCharsets.UTF_8);
                for (String rPoint : SMALL_ORDER) {
                    byte[] forged = concat(HexFormat.of().parseHex(rPoint), new byte[32]);
                    if (Ed25519.verify(weak, message, forged)) {
                        acceptedByUs.add("key " + point + ", R " + rPoint + ", message " + m);
                    }
                }
            }
        }
        assertThat(keysTheJdkParses).as("small-order keys the JDK's KeyFactory takes").isNotEmpty();
        assertThat(acceptedByUs).as("forgeries under a small-order key").isEmpty();
        // the JDK's provider accepts the universal forgery under the identity key; Hydra must not be weaker
        PublicKey identityKey = rawPublic(identity);
        assertThat(Ed25519.verify(identityKey, MESSAGE, universal)).isFalse();
        System.out.println("JDK verifies the universal forgery under the identity key: " + jdkVerifies(identityKey, MESSAGE, universal));
        for (String point : keysTheJdkParses) {
            PublicKey weak = rawPublic(HexFormat.of().parseHex(point));
            for (String rPoint : SMALL_ORDER) {
                byte[] forged = concat(HexFormat.of().parseHex(rPoint), new byte[32]);
                if (jdkVerifies(weak, MESSAGE, forged)) {
                    System.out.println("JDK accepts key " + point + " R " + rPoint + " S 0");
                }
            }
        }
        System.out.println("small-order keys the JDK parses: " + keysTheJdkParses.size() + " of " + SMALL_ORDER.size());
    }

    @Test
    void wrongLengthsNeverVerifyAndNeverThrow() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] good = Ed25519.sign(pair.getPrivate(), MESSAGE);
        byte[] doubled = Arrays.copyOf(good, 128);
        System.arraycopy(good, 0, doubled, 64, 64);
        for (byte[] wrong : List.of(new byte[0], Arrays.copyOf(good, 63), Arrays.copyOf(good, 65), doubled,
                Arrays.copyOf(good, 114), Arrays.copyOfRange(good, 1, 65))) {
            assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, wrong)).as("%d bytes", wrong.length).isFalse();
            // the JDK 17 provider is laxer here: it accepts the good signature with a byte appended (65 bytes)
            System.out.printf("JDK verifies %d bytes: %s%n", wrong.length, jdkVerifies(pair.getPublic(), MESSAGE, wrong));
        }
        assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, null)).isFalse();
        assertThat(Ed25519.verify(pair.getPublic(), new byte[0], Ed25519.sign(pair.getPrivate(), new byte[0]))).isTrue();
    }

    @Test
    void keysOfAnotherAlgorithmNeitherVerifyNorSign() throws Exception {
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] good = Ed25519.sign(ed.getPrivate(), MESSAGE);
        List<KeyPair> others = List.of(
                KeyPairGenerator.getInstance("X25519").generateKeyPair(),
                KeyPairGenerator.getInstance("Ed448").generateKeyPair(),
                KeyPairGenerator.getInstance("RSA").generateKeyPair(),
                KeyPairGenerator.getInstance("EC").generateKeyPair());
        for (KeyPair other : others) {
            String algorithm = other.getPublic().getAlgorithm();
            assertThat(Ed25519.verify(other.getPublic(), MESSAGE, good)).as(algorithm).isFalse();
            assertThat(Ed25519.verify(other.getPublic(), MESSAGE, new byte[64])).as(algorithm).isFalse();
            assertThatThrownBy(() -> Ed25519.sign(other.getPrivate(), MESSAGE)).as(algorithm)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an Ed25519 key");
        }
        // an X25519 key carrying the very bytes of the Ed25519 key is still not the Ed25519 key
        byte[] raw = Arrays.copyOfRange(ed.getPublic().getEncoded(), 12, 44);
        byte[] x509 = HexFormat.of().parseHex("302a300506032b656e032100");
        byte[] encoded = Arrays.copyOf(x509, 44);
        System.arraycopy(raw, 0, encoded, 12, 32);
        PublicKey x25519 = KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(encoded));
        assertThat(Ed25519.verify(x25519, MESSAGE, good)).isFalse();
        // a key with no encoding (a non-extractable one) is refused, not a NullPointerException
        assertThat(Ed25519.verify(new NoEncoding(), MESSAGE, good)).isFalse();
        assertThat(Ed25519.verify(null, MESSAGE, good)).isFalse();
        // a public key never signs (the cache must not hand its parameters to the signer)
        assertThatThrownBy(() -> Ed25519.sign(new PublicAsPrivate(ed.getPublic()), MESSAGE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aKeyReReadFromPemIsTheSameKeyAndKeysAreNeverConfused(@TempDir Path dir) throws Exception {
        Path privateFile = dir.resolve("a-ed25519.key");
        Path otherFile = dir.resolve("b-ed25519.key");
        SigningKeys.ensure(privateFile);
        SigningKeys.ensure(otherFile);
        PublicKey first = SigningKeys.readPublic(SigningKeys.publicKeyBeside(privateFile));
        PublicKey again = SigningKeys.readPublic(SigningKeys.publicKeyBeside(privateFile));
        PublicKey other = SigningKeys.readPublic(SigningKeys.publicKeyBeside(otherFile));
        PrivateKey signer = SigningKeys.readPrivate(privateFile);
        PrivateKey otherSigner = SigningKeys.readPrivate(otherFile);
        assertThat(again).isNotSameAs(first).isEqualTo(first).hasSameHashCodeAs(first);
        assertThat(other).isNotEqualTo(first);

        byte[] signature = Ed25519.sign(signer, MESSAGE);
        byte[] otherSignature = Ed25519.sign(otherSigner, MESSAGE);
        assertThat(signature).isEqualTo(jdkSign(signer, MESSAGE));
        assertThat(otherSignature).isEqualTo(jdkSign(otherSigner, MESSAGE)).isNotEqualTo(signature);
        for (int round = 0; round < 3; round++) {
            assertThat(Ed25519.verify(first, MESSAGE, signature)).isTrue();
            assertThat(Ed25519.verify(again, MESSAGE, signature)).isTrue();
            assertThat(Ed25519.verify(other, MESSAGE, signature)).isFalse();
            assertThat(Ed25519.verify(other, MESSAGE, otherSignature)).isTrue();
            assertThat(Ed25519.verify(first, MESSAGE, otherSignature)).isFalse();
        }
        // a key whose equals and hashCode lie (any Key implementation may) must not borrow another key's parameters
        assertThat(Ed25519.verify(new EqualToEverything(other, first.hashCode()), MESSAGE, signature)).isFalse();
        assertThat(Ed25519.verify(new EqualToEverything(first, other.hashCode()), MESSAGE, otherSignature)).isFalse();
        assertThat(Ed25519.verify(new EqualToEverything(other, first.hashCode()), MESSAGE, otherSignature)).isTrue();
        // a Key implementation with identity equals (as a hardware or third-party provider's may be),
        // re-read a thousand times, is one key to the cache, not a thousand
        int before = Ed25519.cachedKeys();
        for (int i = 0; i < 1_000; i++) {
            assertThat(Ed25519.verify(new IdentityKey(first), MESSAGE, signature)).isTrue();
        }
        assertThat(Ed25519.cachedKeys()).isLessThanOrEqualTo(before + 1);
    }

    @Test
    void theKeyCacheCannotBeMadeToGrowWithoutBound() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        for (int i = 0; i < 2_000; i++) {
            KeyPair pair = generator.generateKeyPair();
            byte[] signature = Ed25519.sign(pair.getPrivate(), MESSAGE);
            assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, signature)).isTrue();
        }
        assertThat(Ed25519.cachedKeys()).isLessThanOrEqualTo(Ed25519.CACHE_LIMIT);
        // the keys in use still verify after the cache was churned
        KeyPair pair = generator.generateKeyPair();
        byte[] signature = Ed25519.sign(pair.getPrivate(), MESSAGE);
        assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, signature)).isTrue();
        assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, signature)).isTrue();
    }

    @Test
    void eightThreadsAtOnceGiveTheAnswersOfOneWhileTheKeyCacheChurns() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        List<KeyPair> pairs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pairs.add(generator.generateKeyPair());
        }
        int cases = 200;
        byte[][] messages = new byte[cases][];
        byte[][] expected = new byte[cases][];
        for (int i = 0; i < cases; i++) {
            messages[i] = ("message " + i).getBytes(StandardCharsets.UTF_8);
            expected[i] = jdkSign(pairs.get(i % 4).getPrivate(), messages[i]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                Callable<List<String>> work = () -> {
                    start.await();
                    List<String> wrong = new ArrayList<>();
                    for (int n = 0; n < cases; n++) {
                        int i = (n + offset * 25) % cases;
                        KeyPair pair = pairs.get(i % 4);
                        if (!Arrays.equals(Ed25519.sign(pair.getPrivate(), messages[i]), expected[i])) {
                            wrong.add("sign " + i);
                        }
                        if (!Ed25519.verify(pair.getPublic(), messages[i], expected[i])) {
                            wrong.add("verify " + i);
                        }
                        if (Ed25519.verify(pairs.get((i + 1) % 4).getPublic(), messages[i], expected[i])) {
                            wrong.add("other key verifies " + i);
                        }
                        if (Ed25519.verify(pair.getPublic(), messages[(i + 1) % cases], expected[i])) {
                            wrong.add("other message verifies " + i);
                        }
                    }
                    return wrong;
                };
                results.add(pool.submit(work));
            }
            // a ninth thread brings new keys all along, so the key cache fills and starts over mid-run
            results.add(pool.submit(() -> {
                start.await();
                List<String> wrong = new ArrayList<>();
                for (int n = 0; n < Ed25519.CACHE_LIMIT * 3; n++) {
                    KeyPair fresh = generator.generateKeyPair();
                    if (!Ed25519.verify(fresh.getPublic(), MESSAGE, Ed25519.sign(fresh.getPrivate(), MESSAGE))) {
                        wrong.add("fresh key " + n);
                    }
                }
                return wrong;
            }));
            start.countDown();
            for (Future<List<String>> result : results) {
                assertThat(result.get(2, TimeUnit.MINUTES)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMessageDifferingInAnyOneByteDoesNotVerify() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] signature = Ed25519.sign(pair.getPrivate(), MESSAGE);
        for (int i = 0; i < MESSAGE.length; i++) {
            byte[] altered = MESSAGE.clone();
            altered[i] ^= 0x01;
            assertThat(Ed25519.verify(pair.getPublic(), altered, signature)).as("byte %d", i).isFalse();
            assertThat(jdkVerifies(pair.getPublic(), altered, signature)).as("JDK, byte %d", i).isFalse();
        }
        assertThat(Ed25519.verify(pair.getPublic(), Arrays.copyOf(MESSAGE, MESSAGE.length - 1), signature)).isFalse();
        assertThat(Ed25519.verify(pair.getPublic(), Arrays.copyOf(MESSAGE, MESSAGE.length + 1), signature)).isFalse();
        for (int i = 0; i < 64; i++) {
            assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, flip(signature, i, 0x01))).as("signature byte %d", i).isFalse();
        }
    }

    private static byte[] flip(byte[] bytes, int index, int mask) {
        byte[] out = bytes.clone();
        out[index] ^= (byte) mask;
        return out;
    }

    private static byte[] yOnly(int y) {
        byte[] out = new byte[32];
        out[0] = (byte) y;
        return out;
    }

    /** A key with the encoding of {@code real} whose equals says it is every key and whose hashCode is {@code hash}. */
    private record EqualToEverything(PublicKey real, int hash) implements PublicKey {
        @Override
        public String getAlgorithm() {
            return real.getAlgorithm();
        }

        @Override
        public String getFormat() {
            return real.getFormat();
        }

        @Override
        public byte[] getEncoded() {
            return real.getEncoded();
        }

        @Override
        public boolean equals(Object other) {
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A public key's encoding passed off as a private key. */
    private record PublicAsPrivate(PublicKey real) implements PrivateKey {
        @Override
        public String getAlgorithm() {
            return real.getAlgorithm();
        }

        @Override
        public String getFormat() {
            return real.getFormat();
        }

        @Override
        public byte[] getEncoded() {
            return real.getEncoded();
        }
    }

    /** The encoding of {@code real} with Object's identity equals and hashCode. */
    private static final class IdentityKey implements PublicKey {
        private final PublicKey real;

        IdentityKey(PublicKey real) {
            this.real = real;
        }

        @Override
        public String getAlgorithm() {
            return real.getAlgorithm();
        }

        @Override
        public String getFormat() {
            return real.getFormat();
        }

        @Override
        public byte[] getEncoded() {
            return real.getEncoded();
        }
    }

    /** An Ed25519 key that will not give out its encoding. */
    private static final class NoEncoding implements PublicKey {
        @Override
        public String getAlgorithm() {
            return "Ed25519";
        }

        @Override
        public String getFormat() {
            return null;
        }

        @Override
        public byte[] getEncoded() {
            return null;
        }
    }
}
