package dev.hydra.topics.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The SHA-256s of the constitutions whose verdicts may still be executed. A signature names the
 * constitution it was made under; a verifier that trusted any name would run a call the old rules
 * allowed and the new ones park (a record never executed, or re-published from the router's store).
 */
public interface ConstitutionsInForce {
    /** The hashes in force now. */
    Set<String> now();

    /** A fixed set (a deployment that names them, tests). */
    static ConstitutionsInForce of(Set<String> sha256s) {
        if (sha256s.isEmpty()) {
            throw new IllegalArgumentException("at least one constitution must be in force");
        }
        Set<String> fixed = Set.copyOf(sha256s);
        return () -> fixed;
    }

    /**
     * The constitution in {@code file}, as the filter hashes it (its bytes), followed as it is edited:
     * once the file changes, verdicts signed under the old text are refused.
     */
    static ConstitutionsInForce file(Path file) {
        return new ConstitutionsInForce() {
            private Object stamp;
            private Set<String> current;

            @Override
            public synchronized Set<String> now() {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                    Object seen = java.util.List.of(attributes.lastModifiedTime(), attributes.size());
                    if (!seen.equals(stamp)) {
                        current = Set.of(sha256(Files.readAllBytes(file)));
                        stamp = seen;
                    }
                    return current;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the constitution in force, " + file, e);
                }
            }
        };
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
