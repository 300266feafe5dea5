package dev.hydra.constitution.rules.text;

import dev.hydra.constitution.rules.Fuzz;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link Secrets#find} decodes base64 runs only when probing finds a run long enough to be decoded
 * ({@link Secrets#hasRun}): what it finds must still end with every encoded secret that decoding
 * every run ({@link Secrets#decodeRuns}) finds, as when every text was scanned twice.
 */
class SecretsEncodedPrecheckTest {
    private static final Secrets SECRETS = new Secrets(List.of(published("password.*=.*"), published("api_key.*=.*"),
            published("secret.*=.*")));
    /** base64 of password=hunter2xyz, api_key=zq81LmN0pq, an AWS key and a GitHub token. */
    private static final String[] ENCODED = {"cGFzc3dvcmQ9aHVudGVyMnh5eg==", "YXBpX2tleT16cTgxTG1OMHBx",
            "QUtJQUlPU0ZPRE5ON0FCQ0RFRkc=", "Z2hwX2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1Njc4OQ=="};
    private static final String[] TOKENS = {ENCODED[0], ENCODED[1], ENCODED[2], ENCODED[3],
            ENCODED[0].substring(0, 23), ENCODED[0].substring(0, 22), ENCODED[1].substring(0, 20), "=", "==", "+", "/",
            "sk-ant-api03-abcdefghijklmnopqrstuv", "password=", "password=hunter2", "AKIAIOSFODNN7ABCDEFG", "aB", "Zz9",
            "abcdefghijk", " ", "\n", ".", ":", "\"", "é", "notes", "ingestion"};

    @Test
    void findsEveryEncodedSecretThatDecodingEveryRunFinds() {
        for (String text : Fuzz.texts(4, 30_000, 8, TOKENS)) {
            List<Secrets.Found> found = SECRETS.find(text);
            List<Secrets.Found> encoded = SECRETS.decodeRuns(text, false);
            assertThat(found).as("secrets in %s", text).hasSizeGreaterThanOrEqualTo(encoded.size());
            assertThat(found.subList(found.size() - encoded.size(), found.size())).as("secrets in %s", text)
                    .isEqualTo(encoded);
            assertThat(SECRETS.contains(text)).as("contains(%s)", text).isEqualTo(!found.isEmpty());
        }
    }

    @Test
    void probingFindsARunWhereverOneIs() {
        for (String text : Fuzz.texts(6, 50_000, 10, "a", "Z", "9", "+", "/", "=", "ab", "abcdefghijk", " ", "-", "é")) {
            for (int min : new int[] {1, 2, 5, 24}) {
                boolean expected = Pattern.compile("[A-Za-z0-9+/=]{" + min + ",}").matcher(text).find();
                assertThat(Secrets.hasRun(text, min)).as("hasRun(%s, %d)", text, min).isEqualTo(expected);
            }
        }
    }

    @Test
    void findsAnEncodedSecretRightAfterAnotherSecretAndWithItsPadding() {
        // the assignment's value is the blob: the scan for key formats skips it, decoding does not
        assertThat(SECRETS.find("password=" + ENCODED[0])).extracting(Secrets.Found::kind)
                .containsExactly("password", "encoded_secret");
        assertThat(SECRETS.find("x " + ENCODED[0] + " y")).extracting(Secrets.Found::kind)
                .containsExactly("encoded_secret");
        assertThat(SECRETS.find("notes on the ingestion pipeline, " + ENCODED[0].substring(0, 22))).isEmpty();
    }

    private static Pattern published(String regex) {
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }
}
