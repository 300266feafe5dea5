package dev.hydra.constitution.rules.text;

import dev.hydra.constitution.rules.Fuzz;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link Text#decode} returns plain text as it is; that must be what the full decoding rounds return. */
class TextDecodeShortcutTest {
    private static final String[] TOKENS = {"a", "Z", "f", "0", "7", "u", "x", "#", ";", " ", "\n", "'", "%", "\\",
            "&", "%2", "%25", "%41", "%0a", "%C3%A9", "%u0041", "\\u0041", "\\x41", "\\\\u0041", "&#65;", "&#x41;",
            "&amp;", "é", "Ａ", "\u200B", "\u00AD", "а", "Ο", "\uFE0F", "\u2003", "\uD83D", "\uD83D\uDE00", "ﬁ", "\u007F"};

    @Test
    void decodesEveryTextAsTheFullRoundsDo() {
        for (String text : Fuzz.texts(1, 50_000, 12, TOKENS)) {
            assertThat(Text.decode(text)).as("decode(%s)", text).isEqualTo(Text.rounds(text));
        }
    }

    @Test
    void plainTextComesOutOfTheFullRoundsUnchanged() {
        int plain = 0;
        for (String text : Fuzz.texts(2, 50_000, 12, TOKENS)) {
            if (Text.plain(text)) {
                plain++;
                assertThat(Text.rounds(text)).as("rounds(%s)", text).isEqualTo(text);
            }
        }
        assertThat(plain).as("plain texts among the inputs").isGreaterThan(1_000);
    }

    @Test
    void textWithAnEscapeOrANonAsciiCharacterIsNotPlain() {
        assertThat(Text.plain("grep -rn TODO /workspace/src # notes")).isTrue();
        assertThat(Text.plain("")).isTrue();
        assertThat(Text.plain("100%")).isFalse();
        assertThat(Text.plain("a\\nb")).isFalse();
        assertThat(Text.plain("a&b")).isFalse();
        assertThat(Text.plain("ipt\u200Bables")).isFalse();
        assertThat(Text.plain("caf\u00E9")).isFalse();
        assertThat(Text.plain("\u0080")).isFalse();
        assertThat(Text.plain("\u007F")).isTrue();
    }
}
