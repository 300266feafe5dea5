package dev.hydra.topics.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round-4 attacks on the trust checks: a constitution edited so that its size and mtime are unchanged. */
class TrustAttacksRound4Test {

    @Test
    void anEditThatKeepsSizeAndMtimeRetiresTheOldConstitution(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("constitution.yaml");
        byte[] old = "deny: rm -rf /\n".getBytes(StandardCharsets.UTF_8);
        byte[] edited = "deny: rm -rf ~\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(old.length, edited.length);
        Files.write(file, old);
        FileTime mtime = Files.getLastModifiedTime(file);
        ConstitutionsInForce inForce = ConstitutionsInForce.file(file);
        assertEquals(Set.of(ConstitutionsInForce.sha256(old)), inForce.now());

        Files.write(file, edited);
        Files.setLastModifiedTime(file, mtime); // touch -r: same size, same mtime

        Set<String> now = inForce.now();
        assertEquals(Set.of(ConstitutionsInForce.sha256(edited)), now);
        assertNotEquals(Set.of(ConstitutionsInForce.sha256(old)), now);
    }
}
