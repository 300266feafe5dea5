package dev.hydra.constitution.rules.facts;

import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.text.Text;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the constitution knows about the programs shell commands run, loaded from the one table
 * {@code vocabulary.table} beside this class: each program's effect (reads, edits files, builds,
 * reaches the network, wraps privileges, ...) and the arguments that make a firewall program only
 * list. A program that is not in the table is not understood. Tools are the contract's
 * ({@code dev.hydra.topics.tools.ToolVocabulary}). Immutable; loaded once.
 */
public final class Vocabulary {

    /** What a program does, as far as the sandbox and the allowlist are concerned. */
    public enum Effect {
        READ, EDIT, BUILD, WRAPPER, NETWORK, PRIVILEGE, CONTAINER, SERVICE, FIREWALL, SUBCOMMANDS;

        /** Whether code with this effect stays inside the sandbox (no network, only the workspace writable). */
        public boolean contained() {
            return this == READ || this == EDIT || this == BUILD || this == WRAPPER;
        }

        /** For a verdict's reason. */
        public String describe() {
            return switch (this) {
                case NETWORK -> "reaches the network";
                case PRIVILEGE -> "is a privilege or namespace wrapper";
                case CONTAINER -> "controls containers outside the sandbox";
                case SERVICE -> "controls services or the machine";
                case FIREWALL -> "changes the firewall or network configuration";
                default -> "runs inside the sandbox";
            };
        }
    }

    /** A program's reading: what it is taken to be and its effect; {@code understood} false when not in the table. */
    public record Program(String shown, Effect effect, boolean understood) {
    }

    private record Condition(Set<String> first, Set<String> any, Set<String> unless, Set<String> options) {
        boolean holds(List<String> args) {
            String firstOperand = null;
            for (String a : args) {
                if (!a.startsWith("-")) {
                    firstOperand = a;
                    break;
                }
            }
            if (!first.isEmpty() && (args.isEmpty() || !first.contains(args.get(0)) && !first.contains(firstOperand))) {
                return false;
            }
            if (!any.isEmpty() && args.stream().noneMatch(a -> in(any, a))) {
                return false;
            }
            for (String a : args) {
                if (unless.contains(a) || unless.contains("*=") && a.indexOf('=') > 0) {
                    return false;
                }
            }
            return true;
        }

        /** The word is in the set, or is a cluster of short options (-nvL) holding one of the set's (-L). */
        private static boolean in(Set<String> words, String a) {
            if (words.contains(a)) {
                return true;
            }
            if (a.length() > 2 && a.charAt(0) == '-' && a.charAt(1) != '-') {
                for (int i = 1; i < a.length(); i++) {
                    if (words.contains("-" + a.charAt(i))) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /**
     * An option whose value is a command line the program runs ({@code script -c}, {@code rsync -e},
     * {@code zip -TT}); with an escape, only a value starting with it runs one ({@code vim -c ':!cmd'});
     * {@code input}: only a value naming the standard input counts ({@code make -f /dev/stdin}).
     */
    private record RunOption(String option, String escape, boolean input) {
        /** The value this argument (and the next) gives the option, or null. */
        String value(List<String> args, int i) {
            String a = args.get(i);
            String next = i + 1 < args.size() ? args.get(i + 1) : null;
            if (a.equals(option)) {
                return next;
            }
            if (option.endsWith("=") && a.startsWith(option)) {
                return a.substring(option.length());
            }
            if (a.startsWith(option + "=")) {
                return a.substring(option.length() + 1);
            }
            if (option.length() == 2 && option.charAt(0) == '-' && a.length() > 2 && a.charAt(0) == '-'
                    && a.charAt(1) != '-' && a.chars().skip(1).allMatch(Character::isLetter)
                    && a.indexOf(option.charAt(1)) > 0) {
                // a cluster of short options (-qc): the option's value follows the cluster, or its rest
                int at = a.indexOf(option.charAt(1));
                return at == a.length() - 1 ? next : a.substring(at + 1);
            }
            return null;
        }
    }

    private static final Vocabulary TABLE = load("vocabulary.table");

    private final Map<String, List<RunOption>> runOptions;
    /** Options whose value is a file the program writes (the writes lines): git --output. */
    private final Map<String, List<RunOption>> writeOptions;
    /** Options whose value is a password the program sends (the credentials lines): sshpass -p, mysql -pPW. */
    private final Map<String, List<String>> credentialOptions;
    /** Environment variables whose value a client sends as its password (PGPASSWORD, MYSQL_PWD, ...). */
    private final Set<String> credentialVariables;

    private final Map<String, Effect> programs;
    private final Map<String, Effect> subcommands;
    private final Map<String, Condition> readOnly;
    /** SQL that acts outside the database: statements starting with a verb, or calling a function. */
    private final java.util.regex.Pattern sqlOutside;
    private final Set<String> sqlFunctions;

    private Vocabulary(Map<String, Effect> programs, Map<String, Effect> subcommands, Map<String, Condition> readOnly,
                       List<String> sqlVerbs, List<String> sqlFunctions, List<String> sqlRoles,
                       Map<String, List<RunOption>> runOptions, Map<String, List<RunOption>> writeOptions,
                       Map<String, List<String>> credentialOptions, Set<String> credentialVariables) {
        this.credentialOptions = Map.copyOf(credentialOptions);
        this.credentialVariables = Set.copyOf(credentialVariables);
        this.runOptions = Map.copyOf(runOptions);
        this.writeOptions = Map.copyOf(writeOptions);
        // a role granted that lets the grantee act outside the database (run programs, write the server's files)
        String roles = sqlRoles.isEmpty() ? "" : "|\\bGRANT\\b[^;]*?\\b(?:" + String.join("|", sqlRoles) + ")\\b";
        this.sqlOutside = java.util.regex.Pattern.compile("(?i)(?:^|;)\\s*(" + String.join("|", sqlVerbs)
                + ")\\b|\\bCOPY\\b[^;]*?\\b(?:TO|FROM)\\s+(PROGRAM\\b|'|\\$|E'|U&')|\\bLANGUAGE\\s+'?(pl\\w*u|plsh|c)\\b" + roles);
        this.sqlFunctions = Set.copyOf(sqlFunctions.stream().map(f -> f.replace("\\Q", "").replace("\\E", "")
                .toLowerCase(Locale.ROOT)).toList());
        this.programs = Map.copyOf(programs);
        this.subcommands = Map.copyOf(subcommands);
        this.readOnly = Map.copyOf(readOnly);
    }

    /** What in this SQL acts outside the database (DO, lo_export(, COPY ... TO PROGRAM), or null. */
    public String sqlOutside(String sql) {
        // words inside string literals are text, not statements: 'COPY ... TO PROGRAM is dangerous'
        String s = sql;
        // a function is a word before '(': only those words are compared (most SQL has few)
        for (int open = s.indexOf('('); open >= 0; open = s.indexOf('(', open + 1)) {
            int end = open;
            while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
                end--;
            }
            int start = end;
            while (start > 0 && (Character.isLetterOrDigit(s.charAt(start - 1)) || s.charAt(start - 1) == '_')) {
                start--;
            }
            if (end - start >= 4 && sqlFunctions.contains(s.substring(start, end).toLowerCase(Locale.ROOT))) {
                return s.substring(start, end) + "(";
            }
        }
        // statements: DO, CALL and COPY are words the SQL reader's trigger scan knows; LOAD is checked on its own
        if (!dev.hydra.constitution.rules.sql.Sql.mayMatter(s) && !mentionsLoad(s) && !mentionsServerState(s)) {
            return null;
        }
        s = s.indexOf('\'') < 0 ? s : withoutStringValues(s);
        java.util.regex.Matcher m = sqlOutside.matcher(s);
        return m.find() ? m.group().strip() : null;
    }

    /** SQL with every '...' literal ('' inside it included) left empty: one pass, no regex stack. */
    private static String withoutStringValues(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i++);
            out.append(c);
            if (c != '\'') {
                continue;
            }
            while (i < s.length()) {
                if (s.charAt(i) == '\'' && (i + 1 >= s.length() || s.charAt(i + 1) != '\'')) {
                    break;
                }
                i += s.charAt(i) == '\'' ? 2 : 1;
            }
            if (i < s.length()) {
                out.append('\'');
                i++;
            }
        }
        return out.toString();
    }

    /** Names the sql-verb lines use beyond the reader's trigger words (SET session_replication_role, UPDATE pg_authid). */
    private static final String[] SERVER_STATE = {"session_replication_role", "pg_catalog", "pg_authid", "pg_database"};

    /** Whether an underscore of the SQL starts one of {@link #SERVER_STATE}'s names (a scan for '_' only). */
    private static boolean mentionsServerState(String s) {
        for (int i = s.indexOf('_'); i >= 0; i = s.indexOf('_', i + 1)) {
            for (String name : SERVER_STATE) {
                int at = i - name.indexOf('_');
                if (at >= 0 && s.regionMatches(true, at, name, 0, name.length())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean mentionsLoad(String s) {
        for (int i = s.indexOf('o'); i > 0; i = s.indexOf('o', i + 1)) {
            if (s.regionMatches(true, i - 1, "load", 0, 4)) {
                return true;
            }
        }
        return s.indexOf('O') >= 0 && s.toUpperCase(Locale.ROOT).contains("LOAD");
    }

    public static Vocabulary table() {
        return TABLE;
    }

    /** Every program with this effect (the firewall family of a {@code command: iptables} detection). */
    public List<String> programsWith(Effect effect) {
        return programs.entrySet().stream().filter(e -> e.getValue() == effect).map(Map.Entry::getKey).sorted().toList();
    }

    /** Whether this run of a firewall or network program only lists (iptables -L, nft list ruleset). */
    /** What reads a program's input as code ({@code make -f /dev/stdin}): named as {@link #FROM_INPUT}. */
    public static final String FROM_INPUT = "\0input";

    /**
     * The command lines a program runs through its options (the runs lines of the table), or
     * {@link #FROM_INPUT} for an option that reads the code to run from the standard input.
     */
    public List<String> commandsRun(Shell.Exec e) {
        List<RunOption> options = runOptions.get(e.program());
        if (options == null) {
            return List.of();
        }
        List<String> args = e.argv().subList(1, e.argv().size());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            for (RunOption o : options) {
                String v = o.value(args, i);
                if (v == null) {
                    continue;
                }
                if (o.input()) {
                    if (v.equals("-") || v.equals("/dev/stdin") || v.startsWith("/dev/fd/") || v.startsWith("/proc/self/fd/")) {
                        out.add(FROM_INPUT);
                    }
                } else if (o.escape() == null) {
                    out.add(v);
                } else {
                    String t = v.strip();
                    t = t.startsWith(":") ? t.substring(1).strip() : t;
                    if (t.startsWith(o.escape())) {
                        out.add(t.substring(o.escape().length()));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The option of this run that carries a password the program sends (sshpass -p PW, mysql -pPW,
     * wget --password=PW), or null. An option written OPTION+ in the table counts only with the value
     * attached (mysql -p alone asks for the password).
     */
    public String credentialOption(Shell.Exec e) {
        List<String> options = credentialOptions.get(e.program());
        if (options == null) {
            return null;
        }
        List<String> args = e.argv().subList(1, e.argv().size());
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            for (String o : options) {
                boolean attachedOnly = o.endsWith("+");
                String name = attachedOnly ? o.substring(0, o.length() - 1) : o;
                String value = a.equals(name) && !attachedOnly && i + 1 < args.size() ? args.get(i + 1)
                        : a.startsWith(name + "=") ? a.substring(name.length() + 1)
                        : name.length() == 2 && !name.startsWith("--") && a.startsWith(name) && a.length() > 2 ? a.substring(2)
                        : null;
                if (value != null && !value.isBlank() && value.indexOf(Text.UNKNOWN) < 0 && !value.startsWith("$")) {
                    return name;
                }
            }
        }
        return null;
    }

    /** Whether a client sends this environment variable's value as its password (PGPASSWORD, MYSQL_PWD, SSHPASS). */
    public boolean credentialVariable(String name) {
        return credentialVariables.contains(name);
    }

    /** The files a program writes through its options (the writes lines of the table: git diff --output=FILE). */
    public List<String> filesWritten(Shell.Exec e) {
        List<RunOption> options = writeOptions.get(e.program());
        if (options == null) {
            return List.of();
        }
        List<String> args = e.argv().subList(1, e.argv().size());
        List<String> out = new ArrayList<>();
        List<String> operands = null;
        for (RunOption o : options) {
            if (o.option().matches("#\\d")) { // #N: its N-th operand (xxd IN OUT, uniq IN OUT)
                operands = operands == null ? Commands.operands(args) : operands;
                int n = o.option().charAt(1) - '0';
                if (n <= operands.size() && n > 0) {
                    out.add(operands.get(n - 1));
                }
            }
        }
        for (int i = 0; i < args.size(); i++) {
            for (RunOption o : options) {
                String v = o.option().startsWith("#") ? null : o.value(args, i);
                if (v != null) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    public boolean onlyLists(Shell.Exec e) {
        Condition c = readOnly.get(e.program());
        return c != null && (!c.first().isEmpty() || !c.any().isEmpty() || !c.unless().isEmpty())
                && c.holds(e.argv().subList(1, e.argv().size()));
    }

    /** What one program run does: its subcommand's effect if it has one, else the program's. */
    /** Whether the table has a line for the program (by its name as {@link Shell#basename} gives it). */
    public boolean knows(String program) {
        return programs.containsKey(program);
    }

    public Program program(Shell.Exec e) {
        String p = e.program();
        if (p.indexOf(Shell.UNKNOWN) >= 0 || p.isEmpty()) {
            return new Program(p.replace(Shell.UNKNOWN, '?'), Effect.PRIVILEGE, false);
        }
        Effect effect = programs.get(p);
        if (effect == null) {
            return new Program(p, null, false);
        }
        List<String> args = e.argv().subList(1, e.argv().size());
        Condition c = readOnly.get(p);
        Set<String> options = c == null ? Set.of() : c.options();
        int at = subcommand(p, args, options, 0);
        String sub = at < 0 ? null : args.get(at);
        int at2 = at < 0 ? -1 : subcommand(p, args, options, at + 1);
        Effect ofSub = at2 < 0 ? null : subcommands.get(p + " " + sub + " " + args.get(at2));
        if (ofSub != null) {
            return new Program(p + " " + sub + " " + args.get(at2), ofSub, true);
        }
        ofSub = sub == null ? null : subcommands.get(p + " " + sub);
        if (ofSub != null) {
            return new Program(p + " " + sub, ofSub, true);
        }
        if (effect == Effect.SUBCOMMANDS) {
            return new Program(sub == null ? p : p + " " + sub, null, sub == null && args.isEmpty());
        }
        if (effect == Effect.FIREWALL && onlyLists(e)) {
            return new Program(p, Effect.READ, true);
        }
        return new Program(p, effect, true);
    }

    /**
     * Where the first operand from {@code from} is, after the program's own options (git -C dir -c k=v
     * push: push; kubectl -n hydra get: get), or -1. A program whose table line lists its options that
     * take a value ({@code options=}) has every other option refused: an option not known to take a
     * value or not would make its value read as the subcommand.
     */
    private static int subcommand(String program, List<String> args, Set<String> options, int from) {
        for (int i = from; i < args.size(); i++) {
            String a = args.get(i);
            if (program.equals("git") && (a.equals("-C") || a.equals("-c") || a.equals("--git-dir")
                    || a.equals("--work-tree") || a.equals("--namespace") || a.equals("--exec-path")
                    || a.equals("--config-env")) || options.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return i;
            } else if (!options.isEmpty() && a.indexOf('=') < 0 && !options.contains("flags:" + a)) {
                return -1;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ loading

    static Vocabulary load(String resource) {
        Map<String, Effect> programs = new HashMap<>();
        Map<String, Effect> subcommands = new HashMap<>();
        Map<String, Condition> readOnly = new HashMap<>();
        List<String> sqlVerbs = new ArrayList<>();
        List<String> sqlFunctions = new ArrayList<>();
        List<String> sqlRoles = new ArrayList<>();
        Map<String, List<RunOption>> runOptions = new HashMap<>();
        Map<String, List<RunOption>> writeOptions = new HashMap<>();
        Map<String, List<String>> credentialOptions = new HashMap<>();
        Set<String> credentialVariables = new java.util.HashSet<>();
        try (InputStream in = Vocabulary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\\s*\\|\\s*");
                String where = resource + ":" + n;
                if (cols.length < 2) {
                    throw new IllegalStateException(where + ": expected 'program NAMES | EFFECT'");
                }
                if (cols[0].startsWith("sql-verb ") || cols[0].startsWith("sql-function ") || cols[0].startsWith("sql-role ")) {
                    List<String> into = cols[0].startsWith("sql-verb ") ? sqlVerbs
                            : cols[0].startsWith("sql-role ") ? sqlRoles : sqlFunctions;
                    for (String word : cols[0].substring(cols[0].indexOf(' ') + 1).split(",")) {
                        // ALTER SYSTEM: any white space between the words, as SQL reads it
                        into.add(String.join("\\s+", Arrays.stream(word.strip().split("\\s+"))
                                .map(java.util.regex.Pattern::quote).toList()));
                    }
                    continue;
                }
                if (cols[0].startsWith("runs ")) {
                    String escape = null;
                    boolean input = false;
                    for (int c = 2; c < cols.length; c++) {
                        if (cols[c].startsWith("escape=")) {
                            escape = cols[c].substring("escape=".length());
                        } else if (cols[c].equals("input")) {
                            input = true;
                        } else {
                            throw new IllegalStateException(where + ": a runs line ends with escape=X or input");
                        }
                    }
                    for (String name : cols[0].substring(5).split(",")) {
                        for (String option : cols[1].split(",")) {
                            runOptions.computeIfAbsent(Text.fold(name.strip()), k -> new ArrayList<>())
                                    .add(new RunOption(option.strip(), escape, input));
                        }
                    }
                    continue;
                }
                if (cols[0].startsWith("credentials ")) {
                    for (String name : cols[0].substring(12).split(",")) {
                        for (String option : cols[1].split(",")) {
                            if (name.strip().equals("env")) {
                                credentialVariables.add(option.strip());
                            } else {
                                credentialOptions.computeIfAbsent(Text.fold(name.strip()), k -> new ArrayList<>())
                                        .add(option.strip());
                            }
                        }
                    }
                    continue;
                }
                if (cols[0].startsWith("writes ")) {
                    for (String name : cols[0].substring(7).split(",")) {
                        for (String option : cols[1].split(",")) {
                            writeOptions.computeIfAbsent(Text.fold(name.strip()), k -> new ArrayList<>())
                                    .add(new RunOption(option.strip(), null, false));
                        }
                    }
                    continue;
                }
                if (!cols[0].startsWith("program ")) {
                    throw new IllegalStateException(where + ": a line starts with 'program', 'runs', 'writes', 'credentials', 'sql-verb', 'sql-role' or 'sql-function'");
                }
                Effect effect = Effect.valueOf(cols[1].strip().toUpperCase(Locale.ROOT));
                String names = cols[0].substring(8).strip();
                int space = names.indexOf(' ');
                int comma = names.indexOf(',');
                if (space > 0 && (comma < 0 || space < comma)) {
                    // "program git push, fetch" or "program docker compose ps, logs": subcommands of one program
                    String[] subs = names.split(",");
                    String first = subs[0].strip();
                    String prefix = first.substring(0, first.lastIndexOf(' '));
                    subs[0] = first.substring(first.lastIndexOf(' ') + 1);
                    for (String sub : subs) {
                        subcommands.put(prefix + " " + sub.strip(), effect);
                    }
                    continue;
                }
                Condition condition = cols.length > 2 ? condition(cols[2], where) : null;
                for (String name : names.split(",")) {
                    String program = Text.fold(name.strip());
                    programs.putIfAbsent(program, effect);
                    if (condition != null) {
                        readOnly.put(program, condition);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Vocabulary(programs, subcommands, readOnly, sqlVerbs, sqlFunctions, sqlRoles, runOptions, writeOptions,
                credentialOptions, credentialVariables);
    }

    private static Condition condition(String text, String where) {
        Map<String, Set<String>> parts = new HashMap<>();
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalStateException(where + ": a read-only condition is first=, any= or unless=");
            }
            List<String> words = new ArrayList<>();
            for (String w : part.substring(eq + 1).split(",")) {
                words.add(w.strip());
            }
            parts.put(part.substring(0, eq).strip(), Set.copyOf(words));
        }
        return new Condition(parts.getOrDefault("first", Set.of()), parts.getOrDefault("any", Set.of()),
                parts.getOrDefault("unless", Set.of()), parts.getOrDefault("options", Set.of()));
    }
}
