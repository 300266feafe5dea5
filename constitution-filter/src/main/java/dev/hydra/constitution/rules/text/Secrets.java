package dev.hydra.constitution.rules.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds credentials in text: provider keys (OpenAI, Anthropic, AWS, GitHub, GitLab, Slack, Google,
 * Stripe, Hugging Face, npm, Azure), PEM private keys, JWTs, connection strings with a password, and
 * {@code key = value} assignments whose key names a secret (the constitution's {@code pattern ... in:
 * published} entries, such as {@code password.*=.*}, decide which keys). Placeholders
 * ({@code ${DB_PASSWORD}}, {@code <your-key>}, {@code changeme}, AWS's documented EXAMPLE keys) are not
 * secrets. Base64 blobs that decode to a secret count too.
 *
 * <p>One pass over the text looks for the few characters a secret can start with, and a precompiled
 * pattern is tried only there: scanning a 1 KB argument costs about a microsecond.
 */
public final class Secrets {

    /** A secret at [start, end) of the scanned text; {@code kind} names it in {@code [REDACTED:kind]}. */
    public record Found(int start, int end, String kind) {
    }

    private record Format(String anchor, boolean ignoreCase, Pattern pattern, String kind) {
    }

    private record Assignment(String anchor, Pattern pattern, String kind) {
    }

    private static final String TELEGRAM = "telegram_bot_token";

    private static final List<Format> FORMATS = List.of(
            new Format("sk-ant-", false, Pattern.compile("sk-ant-[A-Za-z0-9_\\-]{20,}"), "anthropic_api_key"),
            new Format("sk-", false, Pattern.compile("sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\\-]{20,}"), "openai_api_key"),
            new Format("sk_live_", false, Pattern.compile("sk_live_[A-Za-z0-9]{16,}"), "stripe_key"),
            new Format("rk_live_", false, Pattern.compile("rk_live_[A-Za-z0-9]{16,}"), "stripe_key"),
            new Format("AKIA", false, Pattern.compile("AKIA[A-Z0-9]{16}(?![A-Za-z0-9])"), "aws_access_key"),
            new Format("ASIA", false, Pattern.compile("ASIA[A-Z0-9]{16}(?![A-Za-z0-9])"), "aws_access_key"),
            new Format("ghp_", false, Pattern.compile("gh[pousr]_[A-Za-z0-9]{30,}"), "github_token"),
            new Format("gho_", false, Pattern.compile("gh[pousr]_[A-Za-z0-9]{30,}"), "github_token"),
            new Format("ghu_", false, Pattern.compile("gh[pousr]_[A-Za-z0-9]{30,}"), "github_token"),
            new Format("ghs_", false, Pattern.compile("gh[pousr]_[A-Za-z0-9]{30,}"), "github_token"),
            new Format("ghr_", false, Pattern.compile("gh[pousr]_[A-Za-z0-9]{30,}"), "github_token"),
            new Format("github_pat_", false, Pattern.compile("github_pat_[A-Za-z0-9_]{30,}"), "github_token"),
            new Format("glpat-", false, Pattern.compile("glpat-[A-Za-z0-9_\\-]{20,}"), "gitlab_token"),
            new Format("xox", false, Pattern.compile("xox[abposr]-[A-Za-z0-9\\-]{10,}"), "slack_token"),
            new Format("https://hooks.slack.com/services/", false,
                    Pattern.compile("https://hooks\\.slack\\.com/services/[A-Za-z0-9/_\\-]{20,}"), "slack_webhook"),
            // a webhook URL is its own credential: whoever has it may post as the channel
            new Format("discord", false, Pattern.compile(
                    "discord(?:app)?\\.com/api/webhooks/\\d{5,}/[A-Za-z0-9_\\-]{30,}"), "discord_webhook"),
            new Format("webhook.office.com/", false, Pattern.compile(
                    "webhook\\.office\\.com/webhookb2/[A-Za-z0-9@/_\\-]{30,}"), "teams_webhook"),
            new Format("AIza", false, Pattern.compile("AIza[0-9A-Za-z_\\-]{35}"), "google_api_key"),
            new Format("ya29.", false, Pattern.compile("ya29\\.[0-9A-Za-z_\\-]{20,}"), "google_oauth_token"),
            new Format("hf_", false, Pattern.compile("hf_[A-Za-z0-9]{30,}"), "huggingface_token"),
            new Format("npm_", false, Pattern.compile("npm_[A-Za-z0-9]{36}"), "npm_token"),
            new Format("AccountKey=", true, Pattern.compile("(?i)AccountKey=[A-Za-z0-9+/=]{40,}"), "azure_storage_key"),
            new Format("-----BEGIN", false, Pattern.compile(
                    "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|.*)",
                    Pattern.DOTALL), "private_key"),
            new Format("SG.", false, Pattern.compile("SG\\.[A-Za-z0-9_\\-]{16,32}\\.[A-Za-z0-9_\\-]{30,64}"), "sendgrid_key"),
            new Format("dop_v1_", false, Pattern.compile("do[por]_v1_[a-f0-9]{64}"), "digitalocean_token"),
            new Format("doo_v1_", false, Pattern.compile("do[por]_v1_[a-f0-9]{64}"), "digitalocean_token"),
            new Format("dor_v1_", false, Pattern.compile("do[por]_v1_[a-f0-9]{64}"), "digitalocean_token"),
            new Format("shpat_", false, Pattern.compile("shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"), "shopify_token"),
            new Format("shpss_", false, Pattern.compile("shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"), "shopify_token"),
            new Format("shpca_", false, Pattern.compile("shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"), "shopify_token"),
            new Format("shppa_", false, Pattern.compile("shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"), "shopify_token"),
            new Format("hvs.", false, Pattern.compile("hv[sbr]\\.[A-Za-z0-9_\\-]{24,}"), "vault_token"),
            new Format("hvb.", false, Pattern.compile("hv[sbr]\\.[A-Za-z0-9_\\-]{24,}"), "vault_token"),
            new Format("dp.", false, Pattern.compile("dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,}"), "doppler_token"),
            new Format("dapi", false, Pattern.compile("dapi[a-f0-9]{32}(?:-\\d)?"), "databricks_token"),
            // 123456789:AA...: a Telegram bot's token; the digits before the colon are checked in at()
            new Format(":AA", false, Pattern.compile(":AA[A-Za-z0-9_\\-]{33}(?![A-Za-z0-9_\\-])"), TELEGRAM),
            new Format("eyJ", false, Pattern.compile("eyJ[A-Za-z0-9_\\-]{8,}\\.eyJ[A-Za-z0-9_\\-]{8,}\\.[A-Za-z0-9_\\-]{8,}"), "jwt"));

    /** scheme://user:password@host; the password group is checked for placeholders. */
    private static final Pattern CONNECTION = Pattern.compile(
            "[A-Za-z][A-Za-z0-9+.\\-]{1,20}://[^/\\s:@'\"]{0,64}:([^@\\s'\"/]{1,128})@[^\\s'\"]+");

    private static final String[] BUILT_IN_KEYS = {"password", "passwd", "pwd", "secret", "api_key", "apikey",
            "api-key", "access_key", "token", "private_key", "credential", "auth_key", "passphrase", "pass",
            "authorization", "x-auth-token", "subscription-key", "cookie"};
    /**
     * The last word of a key that names something about a secret, not the secret: prompt_tokens=12,
     * token_count, max_tokens, api_key_header, password_policy, password_min_length.
     */
    private static final Set<String> ABOUT_A_SECRET = Set.of("tokens", "count", "policy", "header", "headers",
            "length", "len", "limit", "size", "type", "mode", "ttl", "expiry", "expires", "min", "max", "format",
            "field", "name", "required", "enabled", "hint", "rotation", "strength", "lifetime", "usage", "file",
            "path", "dir", "env", "var", "endpoint", "url", "uri", "id", "prefix", "regex", "pattern", "second",
            "seconds", "per", "budget", "used", "total", "cost", "rate", "complexity", "age", "history", "timeout");
    /** "pass" names a secret only as its own word of a key: DB_PASS, smtp-pass, not bypass or passage. */
    private static final Pattern PASS_WORD = Pattern.compile("(?i)(?:^|.*[_.\\-])pass(?:$|[_.\\-].*)");
    /** An Authorization header's scheme, followed by the credential. */
    private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)(?:bearer|basic|token|digest|apikey|key)\\s+(\\S{8,})");

    private final List<Assignment> assignments;
    /**
     * What may start at a position, indexed by its first two characters (128 * 128 slots): most
     * positions of ordinary text start nothing and cost two array reads.
     */
    private final Format[][] formatsAt = new Format[128 * 128][];
    private final Assignment[][] assignmentsAt = new Assignment[128 * 128][];
    private final boolean[] candidate = new boolean[128 * 128];

    /**
     * @param published the constitution's published patterns, e.g. {@code password.*=.*}; the literal
     *                  start of each names the keys it watches
     */
    public Secrets(List<Pattern> published) {
        List<Assignment> list = new ArrayList<>();
        for (Pattern p : published) {
            String literal = literalPrefix(p.pattern());
            if (!literal.isEmpty()) {
                list.add(new Assignment(literal, Pattern.compile(p.pattern(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL),
                        literal.replaceAll("[^a-z0-9_]", "_")));
            }
        }
        for (String key : BUILT_IN_KEYS) {
            if (list.stream().noneMatch(a -> key.contains(a.anchor()))) {
                list.add(new Assignment(key, null, key.replace('-', '_')));
            }
        }
        this.assignments = List.copyOf(list);
        for (Format f : FORMATS) {
            for (int slot : slots(f.anchor(), f.ignoreCase())) {
                formatsAt[slot] = append(formatsAt[slot], f, Format[]::new);
                candidate[slot] = true;
            }
        }
        for (Assignment a : assignments) {
            for (int slot : slots(a.anchor(), true)) {
                assignmentsAt[slot] = append(assignmentsAt[slot], a, Assignment[]::new);
                candidate[slot] = true;
            }
        }
        candidate[slot(':', '/')] = true;
    }

    private static int slot(char a, char b) {
        return a * 128 + b;
    }

    private static int[] slots(String anchor, boolean ignoreCase) {
        char a = anchor.charAt(0);
        char b = anchor.charAt(1);
        if (!ignoreCase) {
            return new int[] {slot(a, b)};
        }
        char al = Character.toLowerCase(a);
        char au = Character.toUpperCase(a);
        char bl = Character.toLowerCase(b);
        char bu = Character.toUpperCase(b);
        return java.util.stream.IntStream.of(slot(al, bl), slot(al, bu), slot(au, bl), slot(au, bu)).distinct().toArray();
    }

    private static <T> T[] append(T[] array, T item, java.util.function.IntFunction<T[]> make) {
        T[] out = make.apply(array == null ? 1 : array.length + 1);
        if (array != null) {
            System.arraycopy(array, 0, out, 0, array.length);
        }
        out[out.length - 1] = item;
        return out;
    }

    private static String literalPrefix(String regex) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '-') {
                b.append(Character.toLowerCase(c));
            } else {
                break;
            }
        }
        return b.toString();
    }

    public boolean contains(String text) {
        return !find(text, true).isEmpty();
    }

    public List<Found> find(String text) {
        return find(text, false);
    }

    private List<Found> find(String text, boolean firstOnly) {
        List<Found> found = List.of();
        int n = text.length();
        int i = 0;
        char c = n > 0 ? text.charAt(0) : 0;
        while (i < n - 1) {
            char d = text.charAt(i + 1);
            int end = -1;
            if (c < 128 && d < 128 && candidate[c * 128 + d]) {
                Found f = at(text, i);
                if (f != null) {
                    if (found.isEmpty()) {
                        found = new ArrayList<>(2);
                    }
                    found.add(f);
                    if (firstOnly) {
                        return found;
                    }
                    end = f.end();
                }
            }
            if (end > i) {
                i = end;
                c = i < n ? text.charAt(i) : 0;
            } else {
                i++;
                c = d;
            }
        }
        List<Found> encoded = encoded(text, firstOnly);
        if (!encoded.isEmpty()) {
            if (found.isEmpty()) {
                return encoded;
            }
            found.addAll(encoded);
        }
        return found;
    }

    private Found at(String text, int i) {
        char before = i > 0 ? text.charAt(i - 1) : ' ';
        boolean boundary = !Character.isLetterOrDigit(before);
        int slot = text.charAt(i) * 128 + text.charAt(i + 1);
        Format[] formats = formatsAt[slot];
        for (int k = 0; formats != null && k < formats.length; k++) {
            Format f = formats[k];
            if (text.regionMatches(f.ignoreCase(), i, f.anchor(), 0, f.anchor().length())) {
                if (f.kind() == TELEGRAM ? !digitsBefore(text, i, 8) : !boundary && f.anchor().length() < 5) {
                    continue;
                }
                Matcher m = f.pattern().matcher(text).region(i, text.length());
                if (m.lookingAt() && !example(m.group())) {
                    return new Found(i, m.end(), f.kind());
                }
            }
        }
        if (text.charAt(i) == ':' && text.startsWith("//", i + 1)) {
            int start = i;
            while (start > 0 && (Character.isLetterOrDigit(text.charAt(start - 1)) || "+.-".indexOf(text.charAt(start - 1)) >= 0)) {
                start--;
            }
            Matcher m = CONNECTION.matcher(text).region(start, text.length());
            if (start < i && m.lookingAt() && !placeholder(m.group(1))) {
                return new Found(m.start(1), m.end(1), "connection_string_password");
            }
            return null;
        }
        Assignment[] keys = assignmentsAt[slot];
        for (int k = 0; keys != null && k < keys.length; k++) {
            Assignment a = keys[k];
            if (text.regionMatches(true, i, a.anchor(), 0, a.anchor().length())) {
                Found f = assignment(text, i, a);
                if (f != null) {
                    return f;
                }
            }
        }
        return null;
    }

    private static boolean digitsBefore(String text, int i, int count) {
        if (i < count) {
            return false;
        }
        for (int k = i - count; k < i; k++) {
            if (!Character.isDigit(text.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** key = value around a key word at {@code i}; the value is the secret. */
    private static Found assignment(String text, int i, Assignment a) {
        int keyStart = i;
        while (keyStart > 0 && keyChar(text.charAt(keyStart - 1))) {
            keyStart--;
        }
        int keyEnd = i + a.anchor().length();
        while (keyEnd < text.length() && keyChar(text.charAt(keyEnd))) {
            keyEnd++;
        }
        if (!namesASecret(text.substring(keyStart, keyEnd), a.anchor())) {
            return null;
        }
        int j = keyEnd;
        if (j < text.length() && (text.charAt(j) == '"' || text.charAt(j) == '\'')) {
            j++;
        }
        boolean spaceBefore = false;
        while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) {
            j++;
            spaceBefore = true;
        }
        if (j >= text.length()) {
            return null;
        }
        char op = text.charAt(j);
        if (op != '=' && op != ':') {
            return null;
        }
        if (j > 0 && "!<>=".indexOf(text.charAt(j - 1)) >= 0 && j - 1 >= keyEnd) {
            return null;
        }
        j++;
        if (j < text.length() && (text.charAt(j) == '=' || text.charAt(j) == ':')) {
            return null; // == comparison, :: scope
        }
        if (j < text.length() && text.charAt(j) == '>') {
            j++; // 'password' => 'x'
        }
        boolean spaceAfter = false;
        while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) {
            j++;
            spaceAfter = true;
        }
        if (j >= text.length()) {
            return null;
        }
        char q = text.charAt(j);
        int valueStart;
        int valueEnd;
        boolean quoted = q == '"' || q == '\'' || q == '`';
        if (quoted) {
            valueStart = j + 1;
            valueEnd = text.indexOf(q, valueStart);
            if (valueEnd < 0 || valueEnd - valueStart > 512) {
                return null;
            }
        } else {
            valueStart = j;
            valueEnd = j;
            while (valueEnd < text.length() && !Character.isWhitespace(text.charAt(valueEnd))
                    && "'\",;)(}{[]<>&|`".indexOf(text.charAt(valueEnd)) < 0) {
                valueEnd++;
            }
            if (valueEnd < text.length() && "([".indexOf(text.charAt(valueEnd)) >= 0) {
                return null; // a call or an index: code, not a literal
            }
        }
        String value = text.substring(valueStart, valueEnd);
        if (a.anchor().equals("authorization") || a.anchor().equals("x-auth-token")) {
            Matcher scheme = AUTH_SCHEME.matcher(text).region(valueStart, Math.min(text.length(), valueStart + 600));
            if (scheme.lookingAt() && !placeholder(scheme.group(1))) {
                return new Found(scheme.start(1), scheme.end(1), a.kind());
            }
            return null; // "authorization: disabled" is a setting, not a credential
        }
        // X-Api-Key: 5d41...: an HTTP header (a hyphenated name) carries its credential wherever the line
        // goes on, in a curl command or a replay note; code never names a variable with a hyphen
        String key = text.substring(keyStart, keyEnd);
        boolean cookie = key.equalsIgnoreCase("cookie") || key.equalsIgnoreCase("set-cookie");
        boolean header = op == ':' && (key.indexOf('-') > 0 || cookie) && value.length() >= 12;
        if (a.anchor().equals("cookie") && !(cookie && header)) {
            return null; // cookie_secure: true is a setting; only a Cookie header line carries one
        }
        if (!quoted && op == ':' && !header && !restOfLineBlank(text, valueEnd)) {
            return null; // "if x == stored_password: return True" is code, "password: hunter2" is YAML
        }
        if (placeholder(value)) {
            return null;
        }
        if (!quoted && (spaceBefore || spaceAfter && op == '=') && value.matches("[A-Za-z_][A-Za-z0-9_.]*")
                && !value.matches(".*\\d.*")) {
            return null; // password = user_password: a variable in code
        }
        if (a.pattern() != null) {
            String rendered = text.substring(keyStart, keyEnd) + "=" + value;
            if (!a.pattern().matcher(rendered).find()) {
                return null;
            }
        }
        return new Found(valueStart, valueEnd, a.kind());
    }

    /** Whether a whole key around its anchor names a secret rather than something about one. */
    private static boolean namesASecret(String key, String anchor) {
        if (anchor.equals("pass") && !PASS_WORD.matcher(key).matches()) {
            return false;
        }
        String k = key.toLowerCase(Locale.ROOT);
        int cut = Math.max(Math.max(k.lastIndexOf('_'), k.lastIndexOf('-')), k.lastIndexOf('.'));
        String last = cut >= 0 ? k.substring(cut + 1) : k;
        if (cut >= 0 && ABOUT_A_SECRET.contains(last)) {
            return false;
        }
        return !k.contains("tokens") && !k.startsWith("max_") && !k.startsWith("num_") && !k.startsWith("min_");
    }

    private static boolean restOfLineBlank(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '#') {
                return true;
            }
            if (!Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean keyChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
    }

    private static boolean example(String secret) {
        return secret.endsWith("EXAMPLE") || secret.contains("EXAMPLEKEY");
    }

    public static boolean placeholder(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.length() < 4) {
            return true;
        }
        char c0 = v.charAt(0);
        if (c0 == '$' || c0 == '<' || c0 == '%' || c0 == '{' || c0 == '*' || c0 == '[' || c0 == '#' || c0 == '@'
                || c0 == '.' || c0 == '/' || c0 == '\\') {
            return true;
        }
        if (v.chars().distinct().count() <= 2) {
            return true; // xxxx, ****, 0000
        }
        return v.contains("your") || v.contains("example") || v.contains("changeme") || v.contains("change_me")
                || v.contains("placeholder") || v.contains("redacted") || v.contains("dummy") || v.contains("replace")
                || v.contains("getenv") || v.contains("environ") || v.contains("process.env") || v.contains("secret_here")
                || v.startsWith("os.") || v.startsWith("settings.") || v.startsWith("config.") || v.startsWith("env.")
                || v.startsWith("self.") || v.startsWith("this.") || v.startsWith("args.") || v.startsWith("request.")
                || v.startsWith("vault:") || v.startsWith("secretref") || v.startsWith("file:")
                || switch (v) {
                    case "none", "null", "true", "false", "string", "str", "bytes", "required", "optional", "text",
                         "undefined", "empty", "password", "secret", "token", "hidden", "unset", "self", "nil",
                         "bool", "boolean", "secretstr", "field", "any", "object", "number", "integer" -> true;
                    default -> false;
                };
    }

    /** Base64 runs that decode to text containing a secret. */
    private List<Found> encoded(String text, boolean firstOnly) {
        // most text has no run long enough to be decoded, and probing says so without reading every character
        return hasRun(text, MIN_ENCODED) ? decodeRuns(text, firstOnly) : List.of();
    }

    /** Runs shorter than this (padding included) are not decoded. */
    private static final int MIN_ENCODED = 24;
    /** Hex runs shorter than this (16 bytes) are not decoded: the shortest token worth finding is longer. */
    private static final int MIN_HEX = 32;

    private static boolean hexDigits(String text, int from, int to) {
        for (int k = from; k < to; k++) {
            if (Text.hex(text.charAt(k)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@link #encoded} without its pre-check: every run of at least MIN_ENCODED characters is decoded. */
    public List<Found> decodeRuns(String text, boolean firstOnly) {
        List<Found> out = List.of();
        int n = text.length();
        int i = 0;
        while (i < n) {
            if (!base64Char(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && base64Char(text.charAt(i))) {
                i++;
            }
            int run = i;
            while (i < n && text.charAt(i) == '=') {
                i++;
            }
            // most runs are words shorter than MIN_ENCODED: the case mix is looked at only for the long ones
            boolean hex = run - start >= MIN_HEX && (run - start) % 2 == 0 && i == run && hexDigits(text, start, run);
            if (i - start >= MIN_ENCODED && (hex || mixedCase(text, start, run))) {
                // hex: a key's bytes as hex digits (a digest or id decodes to bytes that are not text, and is left)
                String decoded = hex ? Decoders.hex(text.substring(start, run)) : Decoders.base64(text.substring(start, i));
                if (decoded != null && !decoded.isEmpty() && !find(decoded, true).isEmpty()) {
                    if (out.isEmpty()) {
                        out = new ArrayList<>(1);
                    }
                    out.add(new Found(start, i, "encoded_secret"));
                    if (firstOnly) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Whether the text holds {@code min} or more base64 or padding characters in a row. Any {@code min}
     * characters in a row cover one position p with p % min == min - 1, so only those positions are
     * probed, and the run around a probe is measured at most {@code min} characters each way.
     */
    public static boolean hasRun(String text, int min) {
        int n = text.length();
        for (int p = min - 1; p < n; p += min) {
            if (!base64OrPadding(text.charAt(p))) {
                continue;
            }
            int start = p;
            while (start > 0 && p - start < min - 1 && base64OrPadding(text.charAt(start - 1))) {
                start--;
            }
            int end = p + 1;
            while (end < n && end - start < min && base64OrPadding(text.charAt(end))) {
                end++;
            }
            if (end - start >= min) {
                return true;
            }
        }
        return false;
    }

    private static boolean base64OrPadding(char c) {
        return base64Char(c) || c == '=';
    }

    private static boolean mixedCase(String text, int from, int to) {
        boolean upper = false;
        boolean lower = false;
        for (int i = from; i < to && !(upper && lower); i++) {
            char c = text.charAt(i);
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
        }
        return upper && lower;
    }

    private static boolean base64Char(char c) {
        return c < 0x80 && BASE64[c];
    }

    private static final boolean[] BASE64 = new boolean[0x80];

    static {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            BASE64[alphabet.charAt(i)] = true;
        }
    }

    /** The text with every secret replaced by {@code [REDACTED:kind]}. */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        List<Found> found = find(text);
        String decoded = Text.decode(text);
        if (!decoded.equals(text)) {
            List<Found> hidden = find(decoded);
            if (hidden.size() > found.size()) {
                return replace(decoded, hidden); // secrets hidden behind escapes: the decoded text, redacted
            }
        }
        return found.isEmpty() ? text : replace(text, found);
    }

    private static String replace(String text, List<Found> found) {
        List<Found> sorted = new ArrayList<>(found);
        sorted.sort((x, y) -> Integer.compare(x.start(), y.start()));
        StringBuilder b = new StringBuilder(text.length());
        int at = 0;
        for (Found f : sorted) {
            if (f.start() < at) {
                continue;
            }
            b.append(text, at, f.start()).append("[REDACTED:").append(f.kind()).append(']');
            at = f.end();
        }
        return b.append(text, at, text.length()).toString();
    }
}
