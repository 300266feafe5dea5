package dev.hydra.topics.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Hydra's Ed25519 is RFC 8032's: the same signature bytes as the JDK's provider for the same key and
 * message, each verifying the other's, and nothing else verifying.
 */
class Ed25519Test {
    private static final byte[] MESSAGE = "hydra-verdict-v1\ntool_call\ncall-1\nALLOW\nabc\ndef".getBytes(StandardCharsets.UTF_8);

    @Test
    void signaturesAreTheJdksBytesAndEachVerifiesTheOther() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initSign(pair.getPrivate());
        jdk.update(MESSAGE);
        byte[] byJdk = jdk.sign();

        byte[] ours = Ed25519.sign(pair.getPrivate(), MESSAGE);

        assertThat(ours).isEqualTo(byJdk);
        assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, byJdk)).isTrue();
        Signature check = Signature.getInstance("Ed25519");
        check.initVerify(pair.getPublic());
        check.update(MESSAGE);
        assertThat(check.verify(ours)).isTrue();
    }

    @Test
    void anAlteredMessageOrSignatureAnotherKeyOrAWrongLengthDoesNotVerify() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] signature = Ed25519.sign(pair.getPrivate(), MESSAGE);

        byte[] altered = MESSAGE.clone();
        altered[altered.length - 1] ^= 1;
        byte[] flipped = signature.clone();
        flipped[10] ^= 1;
        assertThat(Ed25519.verify(pair.getPublic(), altered, signature)).isFalse();
        assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, flipped)).isFalse();
        assertThat(Ed25519.verify(other.getPublic(), MESSAGE, signature)).isFalse();
        assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, Arrays.copyOf(signature, 63))).isFalse();
        assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, new byte[0])).isFalse();
        assertThat(Ed25519.verify(pair.getPublic(), MESSAGE, null)).isFalse();
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        assertThat(Ed25519.verify(rsa.getPublic(), MESSAGE, signature)).isFalse();
    }
}
