package dev.hydra.constitution.rules.sql;

import dev.hydra.constitution.rules.Fuzz;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link Sql#mayMatter} compares an ASCII word only with the triggers of its initial; it must answer
 * as the scan that compares every word with every trigger, also for letters outside ASCII that fold
 * onto a trigger's (dotless i, long s).
 */
class SqlTriggerScanTest {
    private static final String[] TOKENS = {"drop", "DROP", "dRoP", "DROPS", "xdrop", "drop_", "dr0p", "do", "Do",
            "d", "o", "use", "user", "exec", "EXECUTE1", "rename", "REıNDEX", "CLUſTER", "ſ", "ı", "İ", "K", "ﬀ", "é",
            "Ⅾ", "select", "from", "where", "SELECT", "1", "_", " ", "\n", "(", ")", "'", ";", "/*", "*/", "--", "#",
            "\\", "€", "a", "z", "A", "Z", "@", "$", "grant", "vacuum", "comment", "merge", "truncate"};

    @Test
    void answersAsTheScanOverEveryTrigger() {
        for (String sql : Fuzz.texts(3, 50_000, 10, TOKENS)) {
            assertThat(Sql.mayMatter(sql)).as("mayMatter(%s)", sql).isEqualTo(everyTrigger(sql));
        }
    }

    @Test
    void findsTriggersInAnyCaseAndThroughCaseFoldingLetters() {
        assertThat(Sql.mayMatter("select 1; dRoP table t")).isTrue();
        assertThat(Sql.mayMatter("SELECT * FROM t -- DELETE")).isTrue(); // comments too: this is only a pre-check
        assertThat(Sql.mayMatter("REıNDEX t")).isTrue();
        assertThat(Sql.mayMatter("CLUſTER t")).isTrue();
        assertThat(Sql.mayMatter("\\c other")).isTrue();
        assertThat(Sql.mayMatter("SELECT id, name FROM features WHERE status = 'open' /* notes */")).isFalse();
        assertThat(Sql.mayMatter("SELECT dropped, users, executed FROM t")).isFalse();
    }

    /** The scan before the initial index: every word of 2 to 8 letters against every trigger. */
    private static boolean everyTrigger(String sql) {
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\\') {
                return true;
            }
            if (!Character.isLetter(c)) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                i++;
            }
            int len = i - start;
            if (len >= 2 && len <= 8) {
                for (String t : Sql.TRIGGERS) {
                    if (t.length() == len && sql.regionMatches(true, start, t, 0, len)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
