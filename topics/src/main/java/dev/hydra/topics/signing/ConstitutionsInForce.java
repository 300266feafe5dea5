package dev.hydra.topics.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        // The bytes are hashed on every call: a size/mtime stamp let an edit that keeps the size and
        // restores the mtime (touch -r, or two writes within the clock's granularity) leave the old
        // text's hash in force, so verdicts signed under a retired constitution still ran.
        return () -> {
            try {
                return Set.of(sha256(Files.readAllBytes(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the constitution in force, " + file, e);
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
