package dev.hydra.constitution.rules.facts;

import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.sql.Sql;
import dev.hydra.constitution.rules.text.Budget;
import dev.hydra.constitution.rules.text.PathGlob;
import dev.hydra.constitution.rules.text.Text;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Records what an action does onto {@link Facts}: files written and deleted (paths resolved against
 * the workspace and the command's working directory), settings (also those a written file sets),
 * SQL run and databases dropped. Shared by the tool-call reader ({@link Extractor}) and the shell
 * program reader ({@link Commands}), which both depend on it and not on each other.
 */
public final class Recorder {
    private static final Set<String> SECRET_FILES = Set.of(".env", ".env.production", ".env.prod", ".env.live",
            ".env.staging", ".env.development", ".env.dev", ".env.test", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
            "credentials", "credentials.json", ".pgpass", ".netrc", ".htpasswd", "secrets.yaml", "secrets.yml",
            "secrets.json", ".git-credentials", "service-account.json", "kubeconfig", ".npmrc", ".pypirc");

    private final String workspace;

    private final Set<String> configWords;

    /**
     * The watched words by first character, so ASCII text is searched in place without upper-casing a
     * copy; null when some word is not [A-Z0-9_].
     */
    private final String[][] configWordsByInitial;

    /**
     * @param workspace   where relative paths and the sandbox's working directory point
     * @param configWords words of watched settings (AUTH, PASSWORD): only lines naming one are read
     */
    public Recorder(String workspace, Set<String> configWords) {
        this.workspace = workspace;
        this.configWords = configWords;
        boolean ascii = configWords.stream().allMatch(w -> !w.isEmpty() && w.chars().allMatch(
                c -> c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'));
        this.configWordsByInitial = ascii ? new String[0x80][] : null;
        if (ascii) {
            for (String w : configWords) {
                String[] words = configWordsByInitial[w.charAt(0)];
                words = words == null ? new String[1] : Arrays.copyOf(words, words.length + 1);
                words[words.length - 1] = w;
                configWordsByInitial[w.charAt(0)] = words;
            }
        }
    }

    public void setting(Facts f, String assignment, String via) {
        int eq = assignment.indexOf('=');
        if (eq > 0) {
            f.settings.add(new Facts.Setting(canonicalKey(assignment.substring(0, eq)), assignment.substring(eq + 1), via));
        }
    }

    public void write(Facts f, String path, String content, String via, String cwd) {
        if (path == null || path.isBlank()) {
            if (content != null) {
                f.problem("path", via + " names no path");
            }
            return;
        }
        String canonical = PathGlob.canonical(path, base(cwd));
        String decoded = content == null ? null : Text.decode(content);
        f.writes.add(new Facts.Write(canonical, decoded, via, false));
        if (decoded != null) {
            configLines(f, canonical, decoded, via);
            if (ComposeFile.named(canonical)) {
                ComposeFile.read(this, f, canonical, decoded, via);
            }
        }
    }

    public void delete(Facts f, String path, String via, String cwd) {
        if (path == null || path.isBlank()) {
            return;
        }
        String canonical = PathGlob.canonical(path, base(cwd));
        f.writes.add(new Facts.Write(canonical, null, via, true));
    }

    public String base(String cwd) {
        if (cwd == null) {
            return workspace;
        }
        return PathGlob.canonical(cwd, workspace);
    }

    /** Settings written in a file: KEY=VALUE, KEY: VALUE, "KEY": VALUE, KEY = VALUE lines naming a watched word. */
    void configLines(Facts f, String path, String content, String via) {
        if (path.endsWith("pg_hba.conf") && content.toLowerCase(Locale.ROOT).matches("(?s).*\\btrust\\b.*")) {
            f.settings.add(new Facts.Setting("AUTH_METHOD", "trust", via + " (pg_hba.conf trust)"));
        }
        // a document's lines are prose, never settings: its text need not be searched for the words at all
        if (isDocument(path) || !mentionsConfigWord(content)) {
            return;
        }
        ConfigPaths.indentation(content); // too deep is too complex before any line is read
        int found = 0;
        for (String line : content.split("\n")) {
            java.util.regex.Matcher m = CONFIG_LINE.matcher(line);
            if (m.find()) {
                if (++found > Budget.MAX_WORDS) { // the bound ConfigPaths keeps for nested settings
                    throw new Budget.Exceeded("a configuration document of more than " + Budget.MAX_WORDS + " settings");
                }
                f.settings.add(new Facts.Setting(canonicalKey(m.group(1)), m.group(2), via + " in " + path));
            }
        }
        // nested keys (auth: {enabled: false}, [auth] disabled = true): the path names what the last key does not
        for (ConfigPaths.Entry e : ConfigPaths.read(content)) {
            f.settings.add(new Facts.Setting(canonicalKey(e.path()), e.value(), via + " in " + path));
        }
    }

    /**
     * Whether the upper-cased content contains a watched word. ASCII content upper-cases one character
     * for one, so it is searched in place instead of copied; other text is upper-cased as before (ß becomes SS).
     */
    public boolean mentionsConfigWord(String content) {
        if (configWordsByInitial == null) {
            return mentionsConfigWordCopying(content);
        }
        int n = content.length();
        for (int i = 0; i < n; i++) {
            char c = content.charAt(i);
            if (c >= 0x80) {
                return mentionsConfigWordCopying(content);
            }
            char upper = c >= 'a' && c <= 'z' ? (char) (c - ('a' - 'A')) : c;
            String[] words = configWordsByInitial[upper];
            for (int k = 0; words != null && k < words.length; k++) {
                if (startsUpperAscii(content, i, words[k])) {
                    return true;
                }
            }
        }
        return false;
    }

    public boolean mentionsConfigWordCopying(String content) {
        String folded = content.toUpperCase(Locale.ROOT);
        for (String word : configWords) {
            if (folded.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the ASCII text upper-cased at {@code at} starts with the word; a non-ASCII character never matches. */
    private static boolean startsUpperAscii(String text, int at, String word) {
        if (at + word.length() > text.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            char c = text.charAt(at + k);
            char upper = c >= 'a' && c <= 'z' ? (char) (c - ('a' - 'A')) : c;
            if (upper != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    public static boolean isDocument(String path) {
        return path.endsWith(".md") || path.endsWith(".markdown") || path.endsWith(".txt") || path.endsWith(".rst")
                || path.endsWith(".adoc") || path.endsWith(".html") || path.endsWith(".htm");
    }

    private static final java.util.regex.Pattern CONFIG_LINE = java.util.regex.Pattern.compile(
            "^\\s*(?:export\\s+|-\\s+)?[\"']?([A-Za-z_][A-Za-z0-9_.\\-]*)[\"']?\\s*(?:=|:)\\s*[\"']?([^\"'\\s#,]*)");

    public static String canonicalKey(String key) {
        String upper = Text.decode(key).strip().toUpperCase(Locale.ROOT);
        StringBuilder b = new StringBuilder(upper.length());
        boolean gap = false;
        for (int i = 0; i < upper.length(); i++) {
            char c = upper.charAt(i);
            if (c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
                b.append(c);
                gap = false;
            } else if (!gap) {
                b.append('_'); // every run of other characters is one _
                gap = true;
            }
        }
        return b.toString();
    }

    public static boolean falsy(String value) {
        String v = Text.fold(Text.decode(value)).strip().replace("\"", "").replace("'", "");
        return switch (v) {
            case "false", "0", "no", "off", "n", "disabled", "disable", "" -> true;
            default -> false;
        };
    }

    public static String secretMarker(String source) {
        if (source == null) {
            return null;
        }
        return isSecretFile(PathGlob.canonical(source, "/")) ? "[secret file " + source + "]" : null;
    }

    /** A secret file, or a directory of them (~/.ssh, ~/.aws, ~/.gnupg, ~/.kube, ~/.docker). */
    public static boolean isSecretPath(String canonicalPath) {
        int end = canonicalPath.length();
        while (end > 1 && canonicalPath.charAt(end - 1) == '/') {
            end--;
        }
        String p = canonicalPath.substring(0, end);
        return isSecretFile(p) || p.endsWith("/.ssh") || p.endsWith("/.aws") || p.endsWith("/.gnupg")
                || p.endsWith("/.kube") || p.endsWith("/.docker") || p.endsWith("/.kube/config")
                || p.endsWith("/.docker/config.json") || p.endsWith("/.config/gh/hosts.yml");
    }

    public static boolean isSecretFile(String canonicalPath) {
        String base = canonicalPath.substring(canonicalPath.lastIndexOf('/') + 1);
        return SECRET_FILES.contains(base) || base.endsWith(".pem") && !base.contains("cert") && !base.contains("pub")
                || base.endsWith(".key") || base.endsWith(".p12") || base.endsWith(".pfx")
                || base.startsWith("service-account") && base.endsWith(".json")
                || canonicalPath.contains("/.aws/credentials") || canonicalPath.contains("/.ssh/id_");
    }

    public static boolean isOneOf(String value, String... options) {
        for (String o : options) {
            if (o.equals(value)) {
                return true;
            }
        }
        return false;
    }

    public static String shorten(String text) {
        return text.length() > 100 ? text.substring(0, 97) + "..." : text;
    }

    /** Reads SQL run through {@code via}; the caller reads the shell commands it runs (COPY ... PROGRAM). */
    public Sql.Analysis sql(Facts f, String raw, String database, String via, String problemPrefix) {
        String decoded = Text.decode(raw);
        Sql.Analysis a = Sql.analyze(decoded, database, 0);
        f.statements.addAll(a.statements());
        f.ops.add(new Facts.Op("postgres-mcp.execute_sql", "", a.statements(), via));
        for (Sql.Statement st : a.statements()) {
            if (st.ddl() && !st.rendering().contains(" TEMP") && !st.rendering().startsWith("DROP DATABASE")) {
                f.migrations.add(new Facts.Named(st.database() == null ? String.valueOf(Shell.UNKNOWN) : st.database(),
                        via + ": " + shorten(st.rendering())));
            }
        }
        String outside = Vocabulary.table().sqlOutside(decoded);
        if (outside != null) {
            f.problem("sql", "not understood: " + problemPrefix + " acts outside the database ("
                    + shorten(outside.replace("\n", " ")) + ")");
        }
        if (a.problem() != null) {
            f.problem("sql", problemPrefix + " cannot be read with confidence: " + a.problem());
        }
        return a;
    }

    public void dropDatabase(Facts f, String db, String via) {
        Sql.Statement st = new Sql.Statement("DROP", List.of("DROP DATABASE " + db.toUpperCase(Locale.ROOT)), db, true);
        f.statements.add(st);
        f.ops.add(new Facts.Op("postgres-mcp.execute_sql", "", List.of(st), via));
    }
}
