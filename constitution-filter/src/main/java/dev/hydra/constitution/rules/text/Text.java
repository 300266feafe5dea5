package dev.hydra.constitution.rules.text;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Brings a watched value to the one form the rules read: Unicode NFKC (fullwidth letters become
 * ASCII), invisible format characters removed, common look-alike letters mapped to Latin, and
 * percent, JSON/JavaScript, HTML and C escapes decoded until the text stops changing (so doubled
 * escapes such as {@code %2544} decode too). Case is kept: the analysers fold case where the target
 * language does, and secrets are case-sensitive.
 */
public final class Text {
    /**
     * A part of a word whose value cannot be known (a shell variable read at run time, ...); rules treat
     * it as "could be anything".
     */
    public static final char UNKNOWN = '\0';
    /** Doubled and tripled escapes decode; more rounds than this is an evasion in itself. */
    private static final int MAX_ROUNDS = 4;

    private Text() {
    }

    public static String decode(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "";
        }
        // plain text would come out of the rounds unchanged: unicode() keeps ASCII, unescapeOnce() needs % \ &
        return plain(raw) ? raw : rounds(raw);
    }

    /** {@link #decode} without its shortcut for plain text: normalize and unescape until nothing changes. */
    public static String rounds(String raw) {
        String text = raw;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String next = unescapeOnce(unicode(text));
            if (next.equals(text)) {
                return next;
            }
            text = next;
        }
        String last = unicode(text);
        if (Budget.active() && !unescapeOnce(last).equals(last)) {
            // DROP%25252520...: no tool escapes a value five times over; what it hides is not read
            throw new Budget.Exceeded("text escaped more than " + MAX_ROUNDS + " times over");
        }
        return last;
    }

    /**
     * Pure ASCII without a character that starts an escape ({@code %}, {@code \}, {@code &}): nothing to
     * normalize or decode. String.indexOf is vectorized, so only the ASCII test looks at each character.
     */
    public static boolean plain(String text) {
        if (text.indexOf('%') >= 0 || text.indexOf('\\') >= 0 || text.indexOf('&') >= 0) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Lower case for matching names (programs, paths, services): fail closed on case tricks. */
    public static String fold(String text) {
        return text.toLowerCase(Locale.ROOT);
    }

    private static String unicode(String text) {
        boolean ascii = true;
        for (int i = 0; i < text.length() && ascii; i++) {
            ascii = text.charAt(i) < 0x80;
        }
        if (ascii) {
            return text;
        }
        String nfkc = Normalizer.normalize(text, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(nfkc.length());
        for (int i = 0; i < nfkc.length(); i++) {
            char c = nfkc.charAt(i);
            if (c < 0x80) {
                out.append(c);
            } else if (Character.getType(c) == Character.FORMAT || c == '\u00AD' || c == '\u034F'
                    || (c >= '\u180B' && c <= '\u180E') || (c >= '\uFE00' && c <= '\uFE0F')) {
                // zero-width spaces and joiners, BOMs, soft hyphens, variation selectors: invisible
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                out.append(' ');
            } else {
                out.append(latin(c));
            }
        }
        return out.toString();
    }

    /** Cyrillic and Greek letters that render like Latin ones (the few used in evasions). */
    private static char latin(char c) {
        return switch (c) {
            case 'а', 'α' -> 'a';
            case 'А', 'Α' -> 'A';
            case 'е', 'ε' -> 'e';
            case 'Е', 'Ε' -> 'E';
            case 'о', 'ο' -> 'o';
            case 'О', 'Ο' -> 'O';
            case 'р', 'ρ' -> 'p';
            case 'Р', 'Ρ' -> 'P';
            case 'с' -> 'c';
            case 'С' -> 'C';
            case 'у' -> 'y';
            case 'У' -> 'Y';
            case 'х', 'χ' -> 'x';
            case 'Х', 'Χ' -> 'X';
            case 'і', 'ι' -> 'i';
            case 'І', 'Ι' -> 'I';
            case 'ј' -> 'j';
            case 'ѕ' -> 's';
            case 'Ѕ' -> 'S';
            case 'Т', 'Τ' -> 'T';
            case 'В', 'Β' -> 'B';
            case 'М', 'Μ' -> 'M';
            case 'Н', 'Η' -> 'H';
            case 'К', 'Κ' -> 'K';
            case 'ν' -> 'v';
            case 'Ν' -> 'N';
            case 'τ' -> 't';
            case 'Ζ' -> 'Z';
            default -> c;
        };
    }

    private static String unescapeOnce(String s) {
        int first = firstEscape(s);
        if (first < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        out.append(s, 0, first);
        int i = first;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < n && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                int b = hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2));
                if (b >= 0x80) {
                    i = utf8(s, i, out);
                } else {
                    out.append((char) b);
                    i += 3;
                }
            } else if (c == '%' && i + 5 < n && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U') && hexRun(s, i + 2, 4)) {
                out.append((char) Integer.parseInt(s, i + 2, i + 6, 16));
                i += 6;
            } else if (c == '\\' && i + 2 < n && s.charAt(i + 1) == '\\' && (s.charAt(i + 2) == 'u' || s.charAt(i + 2) == 'x')) {
                out.append('\\'); // a doubled escape: one level is decoded per round
                i += 2;
            } else if (c == '\\' && i + 5 < n && s.charAt(i + 1) == 'u' && hexRun(s, i + 2, 4)) {
                out.append((char) Integer.parseInt(s, i + 2, i + 6, 16));
                i += 6;
            } else if (c == '\\' && i + 3 < n && s.charAt(i + 1) == 'x' && hexRun(s, i + 2, 2)) {
                out.append((char) Integer.parseInt(s, i + 2, i + 4, 16));
                i += 4;
            } else if (c == '&' && i + 3 < n && s.charAt(i + 1) == '#') {
                int semi = s.indexOf(';', i + 2);
                int code = semi > 0 && semi - i <= 9 ? entity(s, i + 2, semi) : -1;
                if (code >= 0) {
                    out.appendCodePoint(code);
                    i = semi + 1;
                } else {
                    out.append(c);
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int firstEscape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '\\' || c == '&') {
                return i;
            }
        }
        return -1;
    }

    private static int utf8(String s, int start, StringBuilder out) {
        byte[] bytes = new byte[8];
        int count = 0;
        int i = start;
        while (i + 2 < s.length() && s.charAt(i) == '%' && count < bytes.length
                && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
            int b = hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2));
            if (count > 0 && (b & 0xC0) != 0x80) {
                break;
            }
            bytes[count++] = (byte) b;
            i += 3;
        }
        out.append(new String(bytes, 0, count, java.nio.charset.StandardCharsets.UTF_8));
        return i;
    }

    private static int entity(String s, int from, int to) {
        try {
            if (from < to && (s.charAt(from) == 'x' || s.charAt(from) == 'X')) {
                return Integer.parseInt(s, from + 1, to, 16);
            }
            return Integer.parseInt(s, from, to, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public static boolean hexRun(String s, int from, int count) {
        if (from + count > s.length()) {
            return false;
        }
        for (int i = from; i < from + count; i++) {
            if (hex(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    public static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
