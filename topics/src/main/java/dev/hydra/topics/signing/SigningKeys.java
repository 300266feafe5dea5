package dev.hydra.topics.signing;

import dev.hydra.topics.ContentHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 key files in PEM (PKCS#8 private, X.509 public), the format {@code openssl genpkey
 * -algorithm ed25519} and {@code openssl pkey -pubout} write, so operators can make their own.
 * A private key {@code NAME.key} has its public key beside it as {@code NAME.pub}.
 */
public final class SigningKeys {
    public static final String ALGORITHM = "Ed25519";
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private SigningKeys() {
    }

    /**
     * Generates each named private key (and its public key beside it) that does not exist yet: the compose
     * stack's one-shot init runs it for the writers' keys ({@code java -cp … SigningKeys FILE…}).
     */
    public static void main(String[] args) throws IOException {
        for (String file : args) {
            System.out.println((ensure(Path.of(file)) ? "generated " : "kept ") + file);
        }
    }

    /** {@code NAME.pub} beside {@code NAME.key} (or beside any other name, with .pub appended). */
    public static Path publicKeyBeside(Path privateKeyFile) {
        String name = privateKeyFile.getFileName().toString();
        String base = name.endsWith(".key") ? name.substring(0, name.length() - 4) : name;
        return privateKeyFile.resolveSibling(base + ".pub");
    }

    /**
     * Generates a key pair unless {@code privateKeyFile} exists: the private key readable by its owner
     * only (0600), the public key beside it. Returns whether it generated one.
     */
    public static boolean ensure(Path privateKeyFile) throws IOException {
        if (Files.exists(privateKeyFile)) {
            return false;
        }
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK since 15 has Ed25519", e);
        }
        Path dir = privateKeyFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temporary = dir.resolve("." + privateKeyFile.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        try {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temporary);
        }
        Files.writeString(temporary, pem(PRIVATE, pair.getPrivate().getEncoded()), StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(publicKeyBeside(privateKeyFile), pem(PUBLIC, pair.getPublic().getEncoded()));
        try {
            Files.move(temporary, privateKeyFile);
        } catch (FileAlreadyExistsException e) {
            Files.delete(temporary); // another process made one at the same moment: keep theirs
            return false;
        }
        return true;
    }

    public static PrivateKey readPrivate(Path file) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(file, PRIVATE)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 private key (PKCS#8 PEM): " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublic(Path file) {
        PublicKey key;
        try {
            key = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(file, PUBLIC)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 public key (X.509 PEM): " + e.getMessage(), e);
        }
        return requireUsable(key, file.toString());
    }

    /**
     * {@code key}, if it is a point of the prime-order group that a private key can produce. The JDK
     * accepts any curve point: the identity and the other small-order points (and their non-canonical
     * spellings) as well, and under such a key one signature can verify for many messages, so it would
     * prove nothing about its writer. {@code where} (a file, a writer) is named in the refusal.
     */
    public static PublicKey requireUsable(PublicKey key, String where) {
        byte[] encoded = key == null ? null : key.getEncoded();
        int size = org.bouncycastle.math.ec.rfc8032.Ed25519.PUBLIC_KEY_SIZE;
        if (encoded == null || encoded.length < size || !ALGORITHM.equalsIgnoreCase(key.getAlgorithm())
                && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            throw new IllegalArgumentException(where + ": not an Ed25519 public key");
        }
        if (!org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(encoded, encoded.length - size)) {
            throw new IllegalArgumentException(where + " holds an Ed25519 public key that is the identity, of small"
                    + " order or not canonically encoded: no private key makes it, and a signature under it proves"
                    + " nothing; make a key pair with `openssl genpkey -algorithm ed25519`");
        }
        return key;
    }

    /** The first 16 hex digits of the SHA-256 of the key's X.509 encoding. */
    public static String keyId(PublicKey key) {
        return ContentHash.sha256Hex(HexFormat.of().formatHex(key.getEncoded())).substring(0, 16);
    }

    private static byte[] der(Path file, String label) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(file + " holds no '" + begin + "' block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the " + label + " block is not base64", e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + label + "-----\n";
    }
}
