package dev.hydra.constitution.rules.facts;

import dev.hydra.constitution.rules.Fuzz;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Written files are read for settings only when they name a watched word. ASCII text is searched in
 * place; the answer must be the one of searching the upper-cased copy, also when non-ASCII letters
 * upper-case onto the words (dotless i, long s) or change length (ß becomes SS).
 */
class ConfigWordSearchTest {
    private static final Recorder EXTRACTOR = new Recorder("/workspace",
            Set.of("AUTH", "DISABLE_AUTH", "PASSWORD", "NO_PASSWORD"));
    private static final String[] TOKENS = {"auth", "AUTH", "aUtH", "au", "th", "a", "u", "pass", "word", "password",
            "Passwd", "no_", "disable", "DISABLE_", "_", " ", "\n", "=", "1", "ı", "İ", "ſ", "ß", "ﬀ", "K", "é",
            "dısable_auth", "pasſword", "ǅ", "notes"};

    @Test
    void answersAsTheSearchOfTheUpperCasedCopy() {
        for (String text : Fuzz.texts(5, 50_000, 8, TOKENS)) {
            assertThat(EXTRACTOR.mentionsConfigWord(text)).as("mentions(%s)", text)
                    .isEqualTo(EXTRACTOR.mentionsConfigWordCopying(text));
        }
    }

    @Test
    void findsWordsInAnyCaseAndThroughCaseFoldingLetters() {
        assertThat(EXTRACTOR.mentionsConfigWord("x=1\nauth_enabled = false")).isTrue();
        assertThat(EXTRACTOR.mentionsConfigWord("pasſword: x")).isTrue();
        assertThat(EXTRACTOR.mentionsConfigWord("dısable_auth=1")).isTrue();
        assertThat(EXTRACTOR.mentionsConfigWord("aut")).isFalse();
        assertThat(EXTRACTOR.mentionsConfigWord("Notes on the ingestion pipeline.")).isFalse();
    }

    @Test
    void findsAWordInTextThatGrowsWhenUpperCased() {
        assertThat(new Recorder("/workspace", Set.of("STRASSE")).mentionsConfigWord("straße=1")).isTrue();
    }

    @Test
    void searchesTheCopyForWordsOutsideTheUpperCaseAlphabet() {
        // the copy is upper case, so a lower-case word is never in it
        assertThat(new Recorder("/workspace", Set.of("auth")).mentionsConfigWord("auth")).isFalse();
    }
}
