package dev.hydra.constitution.rules.shell;

import dev.hydra.constitution.rules.text.Budget;
import dev.hydra.constitution.rules.text.Decoders;
import dev.hydra.constitution.rules.text.Text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a shell command the way bash would run it and lists every program it would execute with
 * its final arguments: comments skipped where bash starts one, quotes and escapes removed
 * ({@code ipt'a'bles}, {@code ip\tables}, {@code $'\x72m'}), variables and {@code ${IFS}} expanded,
 * empty or constant command substitutions evaluated, chains, pipelines, subshells, functions and
 * substitutions all visited, wrappers ({@code sudo}, {@code env}, {@code xargs}, {@code bash -c},
 * {@code eval}, {@code ssh host cmd}, {@code find -exec}, {@code docker exec}) unwrapped, and
 * decode-and-run payloads ({@code echo ... | base64 -d | sh}) decoded and read again.
 *
 * <p>A part of a word whose value cannot be known is {@link #UNKNOWN}; rules treat it as "could be
 * anything" (a glob {@code *}), so an unknown program or path fails closed.
 */
public final class Shell {
    public static final char UNKNOWN = Text.UNKNOWN;
    private static final String HOME = "/root";
    private static final int MAX_DEPTH = 5;
    private static final int MAX_EXECS = 400;
    public static final Set<String> SHELLS = Set.of("sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "mksh", "csh",
            "tcsh", "rbash", "busybox-sh");
    private static final Set<String> RESERVED = Set.of("if", "then", "else", "elif", "fi", "do", "done", "while",
            "until", "!", "{", "}", "function", "time", "coproc");
    private static final Set<String> INTERPRETERS = Set.of("python", "python2", "python3", "perl", "ruby", "node",
            "nodejs", "php", "lua", "deno", "bun", "osascript", "pwsh", "powershell", "awk", "gawk", "tclsh",
            "Rscript", "rscript", "R", "julia", "groovy", "elixir", "erl", "raku", "perl6", "jshell", "scala", "kotlin");

    /** One program run with its final arguments, redirections and (when known) its standard input. */
    public record Exec(List<String> argv, List<Redirect> redirects, String stdin, String cwd, String program) {
        public Exec(List<String> argv, List<Redirect> redirects, String stdin, String cwd) {
            this(argv, redirects, stdin, cwd, argv.isEmpty() ? "" : basename(argv.get(0)));
        }
    }

    /** A redirection; {@code content} is what is written when known (echo/printf/heredoc), else null. */
    public record Redirect(String op, String target, String content) {
        public boolean writes() {
            return op.contains(">");
        }
    }

    /** Everything a command line would run; {@code problem} is why it could not be read with confidence. */
    public record Script(List<Exec> execs, List<String> inlineCode, List<String> assignments, String problem) {
    }

    /**
     * Programs whose arguments this reader unwraps itself (the cases of {@code unwrap}): what they run is
     * already among the commands it reports, with their own options read (command -v only names).
     */
    private static final Set<String> UNWRAPPED = Set.of("sudo", "doas", "nohup", "time", "builtin", "setsid",
            "unbuffer", "catchsegv", "proxychains", "proxychains4", "torsocks", "fakeroot", "strace", "ltrace",
            "firejail", "stdbuf", "chronic", "nocache", "eatmydata", "caffeinate", "systemd-run", "runuser", "sg",
            "tsp", "entr", "exec", "command", "nice", "ionice", "chrt", "taskset", "timeout", "env", "xargs",
            "parallel", "busybox", "toybox", "chroot", "flock", "unshare", "nsenter", "watch", "script", "ssh",
            "kubectl", "docker", "podman", "nerdctl", "crictl", "lxc-attach", "machinectl", "su", "find", "eval",
            "source", ".", "at", "batch", "trap");

    private Shell() {
    }

    /** Whether this reader already reports what {@code program} runs (sudo X, env X, xargs X, ...). */
    public static boolean unwraps(String program) {
        return UNWRAPPED.contains(program);
    }

    /**
     * {@code while read f; do ...; done <<< WORD}: the loop's input is its read's. The here-string is
     * given to the header's read too, so the name is bound to the input's first line where the body uses
     * it (the body is no loop here: what one pass does is what the rules judge).
     */
    private static final java.util.regex.Pattern LOOP_INPUT = java.util.regex.Pattern.compile(
            "\\b((?:while|until)\\s+(?:IFS=\\S*\\s+)?read\\b[^;\\n&|<>]{0,256})([;\\n]\\s*do\\b(?s:.){0,4096}?\\bdone)"
            + "(\\s*<<<\\s*(?:\"[^\"\\n]{0,4096}\"|'[^'\\n]{0,4096}'|[^\\s;&|)]{1,4096}))");

    public static Script parse(String decoded) {
        if (decoded.contains("<<<") && decoded.contains("done")) {
            decoded = LOOP_INPUT.matcher(decoded).replaceAll("$1$3$2$3");
        }
        Parser p = new Parser(decoded, 0, new HashMap<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        p.run();
        return new Script(p.execs, p.inlineCode, p.assignments, p.problem);
    }

    public static String basename(String word) {
        String w = word;
        while (w.endsWith("/") && w.length() > 1) {
            w = w.substring(0, w.length() - 1);
        }
        int slash = w.lastIndexOf('/');
        return Text.fold(slash >= 0 ? w.substring(slash + 1) : w);
    }

    /** A simple command before its wrappers are unwrapped. */
    private record Simple(List<String> argv, List<Redirect> redirects, String hereContent, String[] heredoc) {
    }

    private static final class Parser {
        private final String s;
        private final int depth;
        private final Map<String, String> vars;
        private final List<Exec> execs;
        private final List<String> inlineCode;
        private final List<String> assignments;
        private final Map<String, String> aliases = new HashMap<>();
        /** Programs copied or linked under another name (cp /bin/rm /tmp/d): running the copy runs the program. */
        private final Map<String, String> programCopies = new HashMap<>();
        private final Map<String, String> processSubstitutions = new HashMap<>();
        /** Functions this command line defined, with their bodies: a call runs the body with its arguments. */
        private Map<String, String> functions = new HashMap<>();
        /** $0, $1, ... where a caller bound them (sh -c CODE a0 a1, a function's call); null: not known. */
        private List<String> positional;
        /** Files this command line wrote, with their content (null: unknown), so running one reads it. */
        private Map<String, String> written = new HashMap<>();
        private final List<String[]> pendingHeredocs = new ArrayList<>();
        private String cwd;
        private int pos;
        /** Subshells and groups open at this point: a budget, as each level is a frame of the parse. */
        private int nesting;
        String problem;

        Parser(String s, int depth, Map<String, String> vars, List<Exec> execs, List<String> inlineCode,
               List<String> assignments) {
            this.assignments = assignments;
            this.s = s;
            this.depth = depth;
            this.vars = vars;
            this.execs = execs;
            this.inlineCode = inlineCode;
        }

        void run() {
            try {
                parseList((char) 0);
                if (pos < s.length()) {
                    fail("unexpected '" + s.charAt(pos) + "' at " + pos);
                }
            } catch (ParseError e) {
                fail(e.getMessage());
            }
        }

        private void fail(String why) {
            if (problem == null) {
                problem = why;
            }
        }

        // ------------------------------------------------------------------ grammar

        /** Pipelines separated by ; & && || and newlines, up to {@code close} (or the end). */
        private void parseList(char close) {
            while (true) {
                Budget.tick();
                skipBlanks();
                if (pos >= s.length()) {
                    if (close != 0) {
                        throw new ParseError("missing '" + close + "'");
                    }
                    return;
                }
                char c = s.charAt(pos);
                if (close != 0 && c == close) {
                    return;
                }
                if (c == '\n') {
                    pos++;
                    readHeredocs();
                    continue;
                }
                if (c == ';' || c == '&') {
                    pos++;
                    if (pos < s.length() && (s.charAt(pos) == '&' || s.charAt(pos) == ';')) {
                        pos++;
                    }
                    continue;
                }
                if (c == '|' && pos + 1 < s.length() && s.charAt(pos + 1) == '|') {
                    pos += 2;
                    continue;
                }
                if (c == '#') {
                    int nl = s.indexOf('\n', pos);
                    pos = nl < 0 ? s.length() : nl;
                    continue;
                }
                int before = pos;
                parsePipeline(close);
                if (pos == before) {
                    // a character no command starts with (a stray ')'): reading on would not move
                    throw new ParseError("unexpected '" + c + "' at " + pos);
                }
            }
        }

        private void parsePipeline(char close) {
            List<Simple> stages = new ArrayList<>();
            while (true) {
                skipBlanks();
                if (pos < s.length() && s.charAt(pos) == '(') {
                    if (pos + 1 < s.length() && s.charAt(pos + 1) == '(' && arithmetic()) {
                        // (( expr )): evaluates, runs nothing
                    } else {
                        pos++;
                        Budget.nesting(++nesting, "subshells");
                        parseList(')');
                        nesting--;
                        pos++;
                    }
                    stages.add(new Simple(List.of(), List.of(), null, null));
                } else {
                    Simple simple = parseSimple(close);
                    if (simple != null) {
                        stages.add(simple);
                    }
                }
                skipBlanks();
                if (pos < s.length() && s.charAt(pos) == '|' && (pos + 1 >= s.length() || s.charAt(pos + 1) != '|')) {
                    pos++;
                    if (pos < s.length() && s.charAt(pos) == '&') {
                        pos++;
                    }
                    continue;
                }
                break;
            }
            runPipeline(stages);
        }

        private Simple parseSimple(char close) {
            List<String> argv = new ArrayList<>();
            List<Redirect> redirects = new ArrayList<>();
            String here = null;
            String[] heredoc = null;
            while (true) {
                skipBlanks();
                if (pos >= s.length()) {
                    break;
                }
                char c = s.charAt(pos);
                if (c == '\n' || c == ';' || c == '&' && !(pos + 1 < s.length() && s.charAt(pos + 1) == '>')
                        || c == '|' || c == ')' || (close != 0 && c == close)) {
                    break;
                }
                if (c == '#' && (argv.isEmpty() || s.charAt(pos - 1) == ' ' || s.charAt(pos - 1) == '\t')) {
                    // bash: a word that starts with # begins a comment to the end of the line (parseList skips
                    // it); after \r it does not start a word (a\r#b is one word in bash), so it is read on
                    break;
                }
                if (c == '(' && !argv.isEmpty()) {
                    // name() { body }: a function definition; the body is read as commands.
                    if (pos + 1 < s.length() && s.charAt(pos + 1) == ')') {
                        pos += 2;
                        define(argv.get(argv.size() - 1));
                        argv.clear();
                        return null;
                    }
                    throw new ParseError("unexpected '(' at " + pos);
                }
                if (c == '(') {
                    break;
                }
                Redirect r = tryRedirect(argv);
                if (r != null) {
                    if (r.op().equals("<<<")) {
                        here = r.target();
                    } else if (r.op().startsWith("<<")) {
                        heredoc = pendingHeredocs.get(pendingHeredocs.size() - 1);
                        continue;
                    }
                    redirects.add(r);
                    continue;
                }
                List<String> fields = readWord();
                // an assignment before the command, also after reserved words (while IFS= read -r f)
                if (fields.size() == 1 && isAssignment(fields.get(0)) && RESERVED.containsAll(argv)) {
                    String a = fields.get(0);
                    assignments.add(a);
                    int eq = a.indexOf('=');
                    String name = a.substring(0, eq).replace("+", "");
                    vars.put(name, a.substring(eq + 1));
                    if (eq == a.length() - 1 && pos < s.length() && s.charAt(pos) == '(') {
                        array(name); // a=(x y): a[0]=x, a[1]=y, and $a is x
                    }
                    continue;
                }
                if (argv.isEmpty() && fields.size() == 1 && aliases.containsKey(fields.get(0))) {
                    argv.addAll(List.of(aliases.get(fields.get(0)).split("\\s+")));
                    continue;
                }
                argv.addAll(fields);
                if (argv.size() > Budget.MAX_ARGUMENTS) {
                    throw new Budget.Exceeded("a command of more than " + Budget.MAX_ARGUMENTS + " words");
                }
                if (argv.get(argv.size() - 1).equals("case") && RESERVED.containsAll(argv.subList(0, argv.size() - 1))) {
                    caseStatement();
                    return new Simple(List.of(":"), redirects, here, heredoc);
                }
            }
            return new Simple(argv, redirects, here, heredoc);
        }

        private static final java.util.regex.Pattern ESAC = java.util.regex.Pattern.compile("(?<![\\w$])esac\\b");
        private static final java.util.regex.Pattern CASE_IN = java.util.regex.Pattern.compile("\\s*\\S+\\s+in\\b");

        /**
         * {@code case WORD in PATTERN) COMMANDS;; ... esac}, at pos just past "case": every branch's commands
         * are read, since which one runs depends on the word. A body that cannot be split so is not read.
         */
        private void caseStatement() {
            Budget.tick();
            java.util.regex.Matcher end = ESAC.matcher(s);
            java.util.regex.Matcher in = CASE_IN.matcher(s).region(pos, s.length());
            if (!in.lookingAt() || !end.find(in.end())) {
                throw new ParseError("a case statement that cannot be read");
            }
            String body = s.substring(in.end(), end.start());
            pos = end.end();
            for (String branch : body.split(";;&?|;&")) {
                int close = branch.indexOf(')');
                if (close < 0) {
                    if (!branch.isBlank()) {
                        throw new ParseError("a case branch without a pattern");
                    }
                    continue;
                }
                nested(branch.substring(close + 1), null);
            }
        }

        /** An array assignment's words, {@code (x y)} at pos: each is NAME[i], NAME is the first. */
        private void array(String name) {
            int close = matching(pos, '(', ')');
            List<String> words = words(s.substring(pos + 1, close));
            pos = close + 1;
            if (words.size() > Budget.MAX_WORDS) {
                throw new Budget.Exceeded("an array of more than " + Budget.MAX_WORDS + " words");
            }
            for (int i = 0; i < words.size(); i++) {
                vars.put(name + "[" + i + "]", words.get(i));
            }
            vars.put(name, words.isEmpty() ? "" : words.get(0));
            vars.put(name + "[@]", String.join(" ", words));
        }

        /**
         * Keeps the body of {@code name() { body }} for its calls, where "$1" is the call's first argument.
         * The body is still read where it stands (with unknown arguments), so nothing depends on a call.
         */
        private void define(String name) {
            int open = pos;
            while (open < s.length() && Character.isWhitespace(s.charAt(open))) {
                open++;
            }
            if (open < s.length() && s.charAt(open) == '{') {
                try {
                    functions.put(name, s.substring(open + 1, matching(open, '{', '}')));
                } catch (ParseError e) {
                    // the body is read where it stands, which reports it
                }
            }
        }

        private static boolean isAssignment(String word) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                return false;
            }
            for (int i = 0; i < eq; i++) {
                char c = word.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '_' || (c == '+' && i == eq - 1))) {
                    return false;
                }
            }
            return !Character.isDigit(word.charAt(0));
        }

        private Redirect tryRedirect(List<String> argv) {
            int start = pos;
            int i = pos;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i < s.length() && s.charAt(i) == '&' && i + 1 < s.length() && s.charAt(i + 1) == '>') {
                i++;
            }
            if (i >= s.length() || (s.charAt(i) != '>' && s.charAt(i) != '<')) {
                pos = start;
                return null;
            }
            if (i > start && s.charAt(start) != '&' && Character.isDigit(s.charAt(start)) == false) {
                pos = start;
                return null;
            }
            char dir = s.charAt(i);
            int j = i + 1;
            while (j < s.length() && (s.charAt(j) == '>' || s.charAt(j) == '<' || s.charAt(j) == '|'
                    || s.charAt(j) == '&' || s.charAt(j) == '-')) {
                j++;
            }
            String op = s.substring(i, j);
            if (s.charAt(start) == '&') {
                op = "&" + op;
            }
            if (dir == '<' && j < s.length() && s.charAt(j) == '(') {
                pos = start;
                return null; // process substitution is a word
            }
            if (dir == '>' && j < s.length() && s.charAt(j) == '(') {
                pos = start;
                return null;
            }
            pos = j;
            if (op.endsWith("&") && !op.startsWith("&")) {
                // >&2, <&0: duplicating a descriptor
                skipBlanks();
                List<String> fd = readWord();
                String target = fd.isEmpty() ? "" : fd.get(0);
                if (target.chars().allMatch(Character::isDigit) || target.equals("-")) {
                    return new Redirect(op, "&" + target, null);
                }
                return new Redirect(">", target, null);
            }
            skipBlanks();
            if (op.equals("<<") || op.equals("<<-")) {
                String delimiterRaw = rawWord();
                String delimiter = delimiterRaw.replace("'", "").replace("\"", "").replace("\\", "");
                String[] body = {delimiter, null, op.equals("<<-") ? "-" : ""};
                pendingHeredocs.add(body);
                return new Redirect(op, delimiter, null);
            }
            List<String> target = readWord();
            if (target.isEmpty()) {
                throw new ParseError("redirection without a target at " + start);
            }
            return new Redirect(op, String.join(" ", target), null);
        }

        private void readHeredocs() {
            for (String[] doc : pendingHeredocs) {
                if (doc[1] != null) {
                    continue;
                }
                StringBuilder body = new StringBuilder();
                while (pos < s.length()) {
                    int nl = s.indexOf('\n', pos);
                    String line = nl < 0 ? s.substring(pos) : s.substring(pos, nl);
                    pos = nl < 0 ? s.length() : nl + 1;
                    String test = doc[2].equals("-") ? line.replaceFirst("^\t+", "") : line;
                    if (test.equals(doc[0])) {
                        doc[1] = body.toString();
                        break;
                    }
                    body.append(line).append('\n');
                }
                if (doc[1] == null) {
                    doc[1] = body.toString(); // bash warns and takes the rest
                }
            }
            pendingHeredocs.removeIf(d -> d[1] != null);
        }

        // ------------------------------------------------------------------ running

        private void runPipeline(List<Simple> stages) {
            // Heredoc bodies are read at the end of the line; a one-line script has none pending.
            if (!pendingHeredocs.isEmpty()) {
                int save = pos;
                int nl = s.indexOf('\n', pos);
                if (nl >= 0) {
                    pos = nl + 1;
                    readHeredocs();
                    String rest = s.substring(save, nl);
                    // the rest of the line after the heredoc operator still runs
                    Parser tail = child(rest);
                    tail.run();
                    if (tail.problem != null) {
                        fail(tail.problem);
                    }
                } else {
                    for (String[] d : pendingHeredocs) {
                        d[1] = "";
                    }
                    pendingHeredocs.clear();
                }
            }
            String previousOutput = null;
            boolean previousKnown = false;
            for (int i = 0; i < stages.size(); i++) {
                Simple st = stages.get(i);
                String stdin = st.heredoc() != null ? st.heredoc()[1] : st.hereContent();
                if (stdin == null && i > 0) {
                    stdin = previousKnown ? previousOutput : null;
                }
                String output = output(st.argv(), stdin);
                List<Redirect> redirects = new ArrayList<>();
                for (Redirect r : st.redirects()) {
                    redirects.add(r.writes() ? new Redirect(r.op(), r.target(), output) : r);
                    if (r.writes() && !r.target().startsWith("&")) {
                        String before = r.op().contains(">>") ? written.get(r.target()) : null;
                        written.put(r.target(), output == null ? null : (before == null ? "" : before) + output);
                    }
                }
                unwrap(st.argv(), redirects, stdin, i > 0 && !previousKnown, 0);
                previousOutput = output;
                previousKnown = output != null;
                lastPipelineValue = output;
                if (execs.size() > MAX_EXECS) {
                    throw new ParseError("too many commands to inspect");
                }
            }
        }

        /** What a pure stage prints, or null when it cannot be known. */
        private String output(List<String> argv, String stdin) {
            if (argv.isEmpty()) {
                return null;
            }
            String program = basename(argv.get(0));
            List<String> args = argv.subList(1, argv.size());
            String out = switch (program) {
                case "echo" -> {
                    int from = 0;
                    boolean escapes = false;
                    while (from < args.size() && args.get(from).matches("-[neE]+")) {
                        escapes |= args.get(from).contains("e");
                        from++;
                    }
                    String joined = String.join(" ", args.subList(from, args.size()));
                    yield escapes ? ansiC(joined) : joined;
                }
                case "printf" -> args.isEmpty() ? "" : printf(args);
                case "cat" -> args.isEmpty() || args.equals(List.of("-")) ? stdin : null;
                // the names a listing prints, which xargs or a loop then acts on (ls FILE | xargs rm)
                case "ls", "realpath" -> {
                    boolean plain = args.stream().allMatch(a -> !a.startsWith("-") || a.matches("-[1dAaf]+"));
                    List<String> names = args.stream().filter(a -> !a.startsWith("-")).toList();
                    yield plain && !names.isEmpty() ? String.join("\n", names) : null;
                }
                case "find" -> args.stream().anyMatch(a -> a.startsWith("-exec") || a.startsWith("-ok")
                        || a.startsWith("-print") || a.startsWith("-fprint") || a.equals("-ls")) ? null : found(args);
                case "base64", "base32", "basenc" -> {
                    boolean decode = args.stream().anyMatch(a -> a.equals("-d") || a.equals("--decode")
                            || a.equals("-D") || a.startsWith("-") && !a.startsWith("--") && a.contains("d"));
                    if (!decode || stdin == null) {
                        yield null;
                    }
                    yield program.equals("base32") ? Decoders.base32(stdin) : Decoders.base64(stdin);
                }
                case "xxd" -> args.contains("-r") || args.contains("-rp") || args.contains("-pr")
                        ? (stdin == null ? null : Decoders.hex(stdin)) : null;
                case "rev" -> stdin == null ? null : reverseLines(stdin);
                case "tr" -> stdin == null ? null : tr(args, stdin);
                case "openssl" -> args.contains("-d") && args.stream().anyMatch(a -> a.contains("base64"))
                        && stdin != null ? Decoders.base64(stdin) : null;
                default -> null;
            };
            return out;
        }

        /** The files {@code find ARGS} finds: in the first root, named like -name (else any name). */
        private static String found(List<String> args) {
            String root = args.isEmpty() || args.get(0).startsWith("-") ? "." : args.get(0).replaceAll("/+$", "");
            int name = Math.max(args.indexOf("-name"), args.indexOf("-iname"));
            return root + "/" + (name >= 0 && name + 1 < args.size() ? args.get(name + 1) : "*");
        }

        private static String reverseLines(String text) {
            StringBuilder b = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                if (!b.isEmpty()) {
                    b.append('\n');
                }
                b.append(new StringBuilder(line).reverse());
            }
            return b.toString();
        }

        private static String tr(List<String> args, String in) {
            if (args.size() == 2 && !args.get(0).startsWith("-")) {
                String from = expandRange(args.get(0));
                String to = expandRange(args.get(1));
                if (to.isEmpty()) {
                    return null;
                }
                StringBuilder b = new StringBuilder(in.length());
                for (int i = 0; i < in.length(); i++) {
                    int k = from.indexOf(in.charAt(i));
                    b.append(k < 0 ? in.charAt(i) : to.charAt(Math.min(k, to.length() - 1)));
                }
                return b.toString();
            }
            if (args.size() == 2 && args.get(0).equals("-d")) {
                String del = expandRange(args.get(1));
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < in.length(); i++) {
                    if (del.indexOf(in.charAt(i)) < 0) {
                        b.append(in.charAt(i));
                    }
                }
                return b.toString();
            }
            return null;
        }

        private static String expandRange(String set) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < set.length(); i++) {
                if (i + 2 < set.length() && set.charAt(i + 1) == '-') {
                    for (char c = set.charAt(i); c <= set.charAt(i + 2); c++) {
                        b.append(c);
                    }
                    i += 2;
                } else {
                    b.append(set.charAt(i));
                }
            }
            return b.toString();
        }

        private static String printf(List<String> args) {
            String format = ansiC(args.get(0));
            StringBuilder b = new StringBuilder();
            int next = 1;
            do {
                for (int i = 0; i < format.length(); i++) {
                    char c = format.charAt(i);
                    if (c == '%' && i + 1 < format.length()) {
                        char f = format.charAt(i + 1);
                        if (f == '%') {
                            b.append('%');
                        } else {
                            String arg = next < args.size() ? args.get(next++) : "";
                            b.append(f == 'b' ? ansiC(arg) : f == 'c' ? (arg.isEmpty() ? "" : arg.substring(0, 1)) : arg);
                        }
                        i++;
                    } else {
                        b.append(c);
                    }
                }
            } while (next < args.size() && format.contains("%"));
            return b.toString();
        }

        /** bash's $'...' and echo -e escapes. */
        static String ansiC(String t) {
            StringBuilder b = new StringBuilder(t.length());
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c != '\\' || i + 1 >= t.length()) {
                    b.append(c);
                    continue;
                }
                char e = t.charAt(++i);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'a' -> b.append('\u0007');
                    case 'e', 'E' -> b.append('\u001b');
                    case '\\' -> b.append('\\');
                    case '\'' -> b.append('\'');
                    case '"' -> b.append('"');
                    case 'x' -> {
                        int j = i + 1;
                        int v = 0;
                        while (j < t.length() && j < i + 3 && Text.hex(t.charAt(j)) >= 0) {
                            v = v * 16 + Text.hex(t.charAt(j++));
                        }
                        b.append((char) v);
                        i = j - 1;
                    }
                    case 'u', 'U' -> {
                        int j = i + 1;
                        int v = 0;
                        while (j < t.length() && j < i + (e == 'u' ? 5 : 9) && Text.hex(t.charAt(j)) >= 0) {
                            v = v * 16 + Text.hex(t.charAt(j++));
                        }
                        b.appendCodePoint(v);
                        i = j - 1;
                    }
                    case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                        int j = i;
                        int v = 0;
                        while (j < t.length() && j < i + 3 && t.charAt(j) >= '0' && t.charAt(j) <= '7') {
                            v = v * 8 + (t.charAt(j++) - '0');
                        }
                        b.append((char) v);
                        i = j - 1;
                    }
                    default -> b.append('\\').append(e);
                }
            }
            return b.toString();
        }

        /** Records a command and every command its wrappers run. */
        private void unwrap(List<String> argv, List<Redirect> redirects, String stdin, boolean stdinUnknown, int layer) {
            if (argv.isEmpty() && !redirects.isEmpty() && layer == 0) {
                execs.add(new Exec(List.of(":"), List.copyOf(redirects), stdin, cwd)); // "> file" alone truncates it
                return;
            }
            if (argv.isEmpty() || layer > 12) {
                return;
            }
            int k = 0;
            while (k < argv.size() && RESERVED.contains(argv.get(k))) {
                k++;
            }
            if (k > 0) {
                unwrap(argv.subList(k, argv.size()), redirects, stdin, stdinUnknown, layer + 1);
                return;
            }
            if (programCopies.containsKey(argv.get(0))) {
                List<String> renamed = new ArrayList<>(argv);
                renamed.set(0, programCopies.get(argv.get(0)));
                argv = renamed;
            }
            String program = basename(argv.get(0));
            if (program.equals("for") || program.equals("select") || program.equals("[[") || program.equals("[")) {
                return; // loop headers and tests name words, they do not run them
            }
            if (program.equals("cp") || program.equals("ln") || program.equals("install")) {
                List<String> operands = argv.subList(1, argv.size()).stream().filter(a -> !a.startsWith("-")).toList();
                if (operands.size() == 2 && operands.get(0).matches("/(?:usr/)?(?:local/)?s?bin/[A-Za-z0-9_.+\\-]+")) {
                    programCopies.put(operands.get(1), basename(operands.get(0)));
                }
            }
            if (functions.containsKey(argv.get(0))) {
                // a call of a function this line defined runs its body, with $1... bound to the call's arguments
                nested(functions.get(argv.get(0)), stdin, argv);
                return;
            }
            execs.add(new Exec(List.copyOf(argv), List.copyOf(redirects), stdin, cwd));
            List<String> args = argv.subList(1, argv.size());
            switch (program) {
                case "cd", "pushd" -> cwd = args.isEmpty() ? HOME : args.get(args.size() - 1);
                case "alias" -> {
                    for (String a : args) {
                        int eq = a.indexOf('=');
                        if (eq > 0) {
                            aliases.put(a.substring(0, eq), a.substring(eq + 1));
                        }
                    }
                }
                case "export", "declare", "typeset", "local", "readonly" -> {
                    boolean nameref = !program.equals("export") && args.stream()
                            .anyMatch(a -> a.startsWith("-") && !a.startsWith("--") && a.indexOf('n') > 0);
                    for (String a : args) {
                        if (isAssignment(a)) {
                            assignments.add(a);
                            int eq = a.indexOf('=');
                            vars.put((nameref ? NAMEREF : "") + a.substring(0, eq), a.substring(eq + 1));
                        }
                    }
                }
                case "read", "mapfile", "readarray" -> {
                    // read NAME... <<< word: the first line of a known input, split at IFS's characters (the
                    // last name takes the rest of it)
                    List<String> names = args.stream().filter(a -> !a.startsWith("-")).toList();
                    boolean known = program.equals("read") && !names.isEmpty() && stdin != null && !stdinUnknown
                            && args.stream().allMatch(a -> !a.startsWith("-") || a.equals("-r"));
                    String ifs = variable("IFS");
                    String line = known ? stdin.strip().split("\n", 2)[0] : "";
                    String[] fields = !known || names.size() == 1 || ifs.indexOf(UNKNOWN) >= 0 ? new String[] {line}
                            : line.split("[" + java.util.regex.Pattern.quote(ifs.isEmpty() ? " " : ifs) + "]+", names.size());
                    for (int n = 0; n < names.size(); n++) {
                        vars.put(names.get(n), !known ? String.valueOf(UNKNOWN) : n < fields.length ? fields[n] : "");
                    }
                }
                case "printf" -> {
                    // printf -v NAME FORMAT ARGS: the name gets what printf would have printed
                    if (args.size() >= 3 && args.get(0).equals("-v")) {
                        vars.put(args.get(1), printf(args.subList(2, args.size())));
                    }
                }
                case "set" -> {
                    int dashdash = args.indexOf("--");
                    if (dashdash >= 0) { // set -- a b: the positional parameters from here on
                        List<String> bound = new ArrayList<>(List.of("set"));
                        bound.addAll(args.subList(dashdash + 1, args.size()));
                        positional = bound;
                    }
                }
                case "trap" -> {
                    // trap 'CODE' SIGNAL...: the code runs (on exit, on a signal): read it like eval
                    List<String> rest = args.stream().dropWhile(a -> a.equals("-p") || a.equals("-l") || a.equals("--"))
                            .toList();
                    if (rest.size() >= 2 && !rest.get(0).equals("-")) {
                        nested(rest.get(0), stdin);
                    }
                }
                case "hash" -> {
                    // hash -p /usr/bin/curl ls: from here on, ls runs curl (like cp /usr/bin/curl ./ls)
                    int p = args.indexOf("-p");
                    if (p >= 0 && p + 2 < args.size()) {
                        for (String name : args.subList(p + 2, args.size())) {
                            programCopies.put(name, basename(args.get(p + 1)));
                        }
                    } else if (args.stream().anyMatch(a -> a.startsWith("-") && a.contains("p"))) {
                        fail("hash -p makes a name run another program");
                    }
                }
                case "sudo", "doas" -> unwrap(afterOptions(args, "ugCDhprtUTR"), redirects, stdin, stdinUnknown, layer + 1);
                case "nohup", "time", "builtin", "setsid", "unbuffer", "catchsegv", "proxychains", "proxychains4",
                        "torsocks", "fakeroot", "strace", "ltrace", "firejail", "stdbuf", "chronic", "nocache",
                        "eatmydata", "caffeinate", "systemd-run", "runuser", "sg", "tsp", "entr" ->
                        unwrap(afterOptions(args, "uoesgpfS"), redirects, stdin, stdinUnknown, layer + 1);
                case "exec" -> unwrap(afterOptions(args, "a"), redirects, stdin, stdinUnknown, layer + 1);
                case "command" -> {
                    if (!args.contains("-v") && !args.contains("-V")) {
                        unwrap(afterOptions(args, ""), redirects, stdin, stdinUnknown, layer + 1);
                    }
                }
                case "nice", "ionice", "chrt", "taskset" -> unwrap(afterNumbers(afterOptions(args, "ncp")), redirects,
                        stdin, stdinUnknown, layer + 1);
                case "timeout" -> {
                    List<String> rest = afterOptions(args, "sk");
                    unwrap(rest.isEmpty() ? rest : rest.subList(1, rest.size()), redirects, stdin, stdinUnknown, layer + 1);
                }
                case "env" -> {
                    List<String> rest = afterOptions(args, "uCS");
                    int i = 0;
                    while (i < rest.size() && isAssignment(rest.get(i))) {
                        assignments.add(rest.get(i));
                        int eq = rest.get(i).indexOf('=');
                        vars.put(rest.get(i).substring(0, eq), rest.get(i).substring(eq + 1));
                        i++;
                    }
                    int split = args.indexOf("-S");
                    if (split >= 0 && split + 1 < args.size()) {
                        nested(args.get(split + 1), stdin);
                    }
                    unwrap(rest.subList(i, rest.size()), redirects, stdin, stdinUnknown, layer + 1);
                }
                case "xargs", "parallel" -> {
                    List<String> rest = afterOptions(args, "aEeIiLlnPsdj");
                    int sep = rest.indexOf(":::");
                    // the command gets its operands from the input (or after :::): when the input is known
                    // they are its words, else one operand that may be anything
                    List<String> command = new ArrayList<>(sep >= 0 ? rest.subList(0, sep) : rest);
                    // xargs -a FILE reads its input from a file this line wrote (echo x > /tmp/l; xargs -a /tmp/l rm)
                    String input = stdin;
                    int file = args.indexOf("-a") >= 0 ? args.indexOf("-a") : args.indexOf("--arg-file");
                    if (file >= 0 && file + 1 < args.size()) {
                        input = written.get(args.get(file + 1));
                    }
                    List<String> inputs = sep >= 0 ? rest.subList(sep + 1, rest.size())
                            : input != null ? List.of(input.strip().split("[\\s\\x00]+")) : List.of(String.valueOf(UNKNOWN));
                    boolean placed = false;
                    for (int i = 0; i < command.size(); i++) {
                        for (String placeholder : List.of("{}", "%", "{1}")) {
                            if (command.get(i).contains(placeholder) && !inputs.isEmpty()) {
                                command.set(i, command.get(i).replace(placeholder, inputs.get(0)));
                                placed = true;
                            }
                        }
                    }
                    if (!placed) {
                        command.addAll(inputs);
                    }
                    unwrap(command, redirects, null, true, layer + 1);
                }
                case "busybox", "toybox", "chroot", "flock", "unshare", "nsenter", "watch", "script", "ssh",
                        "kubectl", "docker", "podman", "nerdctl", "crictl", "lxc-attach", "machinectl", "su" ->
                        container(program, args, redirects, stdin, layer);
                case "find" -> {
                    // {} is each file found: in the first root, named like -name (find /etc/nginx -name '*.conf'
                    // -exec sed -i ... {} edits /etc/nginx/*.conf), not a file literally named {}
                    String found = found(args);
                    for (int i = 0; i < args.size(); i++) {
                        String a = args.get(i);
                        if (a.equals("-exec") || a.equals("-execdir") || a.equals("-ok") || a.equals("-okdir")) {
                            int end = i + 1;
                            while (end < args.size() && !args.get(end).equals(";") && !args.get(end).equals("+")) {
                                end++;
                            }
                            List<String> command = new ArrayList<>(args.subList(i + 1, end));
                            command.replaceAll(w -> w.equals("{}") ? found : w);
                            unwrap(command, redirects, null, false, layer + 1);
                            i = end;
                        }
                    }
                }
                case "eval" -> nested(String.join(" ", args), stdin);
                case "source", "." -> {
                    String file = args.isEmpty() ? "" : args.get(0);
                    if (written.containsKey(file)) {
                        runWritten(file, program);
                    } else if (processSubstitutions.containsKey(file)) {
                        String payload = processSubstitutions.get(file);
                        if (payload == null) {
                            fail("sources code that cannot be inspected (" + file + ")");
                        } else {
                            nested(payload, null);
                        }
                    } else if (file.equals("/dev/stdin") || file.equals("-")) {
                        runPayload(stdin, stdinUnknown, program);
                    }
                }
                case "at", "batch" -> runPayload(stdin, stdinUnknown, program);
                default -> {
                    if (written.containsKey(argv.get(0))) {
                        runWritten(argv.get(0), program);
                    } else if (SHELLS.contains(program)) {
                        shell(program, args, stdin, stdinUnknown);
                    } else if (INTERPRETERS.contains(program) || program.startsWith("python")) {
                        interpreter(args, stdin);
                    }
                }
            }
        }

        private void shell(String program, List<String> args, String stdin, boolean stdinUnknown) {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.startsWith("-") && !a.startsWith("--") && a.contains("c") && i + 1 < args.size()) {
                    // sh -c CODE NAME ARG...: NAME is $0, ARG the first argument ($1)
                    nested(args.get(i + 1), stdin, args.subList(Math.min(i + 2, args.size()), args.size()));
                    return;
                }
                if (a.startsWith("-") || a.startsWith("+")) {
                    if (a.equals("-s") || a.equals("-")) {
                        runPayload(stdin, stdinUnknown, program);
                        return;
                    }
                    continue;
                }
                // bash FILE: a script file; a process substitution is code we may have read
                if (written.containsKey(a)) {
                    runWritten(a, program);
                } else if (processSubstitutions.containsKey(a)) {
                    String payload = processSubstitutions.get(a);
                    if (payload == null) {
                        fail(program + " runs code that cannot be inspected");
                    } else {
                        nested(payload, null);
                    }
                } else if (a.equals("/dev/stdin")) {
                    runPayload(stdin, stdinUnknown, program);
                }
                return;
            }
            runPayload(stdin, stdinUnknown, program);
        }

        /** A script this command line wrote, run: its content is read as commands (a script written and run). */
        private void runWritten(String file, String program) {
            String content = written.get(file);
            if (content == null) {
                fail(program + " runs " + file + ", which this command wrote with content that cannot be inspected");
            } else {
                nested(content, null);
            }
        }

        private void runPayload(String stdin, boolean stdinUnknown, String program) {
            if (stdin != null) {
                nested(stdin, null);
            } else if (stdinUnknown) {
                fail(program + " runs code from a pipe that cannot be inspected");
            }
        }

        private void interpreter(List<String> args, String stdin) {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if ((a.equals("-c") || a.equals("-e") || a.equals("-r") || a.equals("-E") || a.equals("--eval")
                        || a.equals("-p") || a.equals("-eval") || a.equals("--expr")) && i + 1 < args.size()) {
                    code(args.get(i + 1));
                    return;
                }
                if (!a.startsWith("-") && a.indexOf(' ') >= 0) {
                    code(a); // awk 'BEGIN { system("...") }'
                    return;
                }
            }
            if (stdin != null) {
                code(stdin);
            }
        }

        /**
         * Inline program code: kept for the rules (which cannot read it), and the shell commands and
         * file operations it spells out with literals (os.system('rm x'), os.remove('x')) read as the
         * commands they amount to, so their targets are judged like any other.
         */
        private void code(String code) {
            inlineCode.add(code);
            List<String> commands = InlineCode.commands(code);
            if (commands.size() == InlineCode.MAX_COMMANDS) {
                fail("inline code spells out more than " + InlineCode.MAX_COMMANDS + " commands; only those were read");
            }
            for (String command : commands) {
                nested(command, null, null);
            }
        }

        private void container(String program, List<String> args, List<Redirect> redirects, String stdin, int layer) {
            switch (program) {
                case "busybox", "toybox" -> unwrap(args, redirects, stdin, false, layer + 1);
                case "chroot" -> unwrap(afterOptions(args, "").size() > 1
                        ? afterOptions(args, "").subList(1, afterOptions(args, "").size()) : List.of(),
                        redirects, stdin, false, layer + 1);
                case "flock" -> {
                    List<String> rest = afterOptions(args, "wEc");
                    if (args.contains("-c")) {
                        nested(args.get(args.indexOf("-c") + 1), stdin);
                    } else if (rest.size() > 1) {
                        unwrap(rest.subList(1, rest.size()), redirects, stdin, false, layer + 1);
                    }
                }
                case "unshare", "nsenter" -> unwrap(afterOptions(args, "tSGwm"), redirects, stdin, false, layer + 1);
                case "watch" -> nested(String.join(" ", afterOptions(args, "ndg")), null);
                case "script", "su" -> {
                    int c = args.indexOf("-c");
                    if (c < 0) {
                        c = args.indexOf("--command");
                    }
                    if (c >= 0 && c + 1 < args.size()) {
                        nested(args.get(c + 1), stdin);
                    }
                }
                case "ssh" -> {
                    List<String> rest = afterOptions(args, "bcDEeFIiJLlmOopQRSWw");
                    if (rest.size() > 1) {
                        nested(String.join(" ", rest.subList(1, rest.size())), stdin);
                    }
                }
                case "kubectl" -> {
                    int dash = args.indexOf("--");
                    if (args.contains("exec") && dash >= 0) {
                        unwrap(args.subList(dash + 1, args.size()), redirects, stdin, false, layer + 1);
                    }
                }
                case "lxc-attach", "machinectl" -> {
                    int dash = args.indexOf("--");
                    if (dash >= 0) {
                        unwrap(args.subList(dash + 1, args.size()), redirects, stdin, false, layer + 1);
                    }
                }
                default -> {
                    // docker|podman exec [opts] CONTAINER cmd... ; docker run [opts] IMAGE cmd...
                    List<String> rest = afterOptions(args, "");
                    if (!rest.isEmpty() && rest.get(0).equals("container") && rest.size() > 1) {
                        rest = rest.subList(1, rest.size());
                    }
                    if (!rest.isEmpty() && (rest.get(0).equals("exec") || rest.get(0).equals("run"))) {
                        List<String> after = afterOptions(rest.subList(1, rest.size()),
                                "eurwpvlhmc" + "nt");
                        if (after.size() > 1) {
                            unwrap(after.subList(1, after.size()), redirects, stdin, false, layer + 1);
                        }
                    }
                }
            }
        }

        /** Arguments after leading options; options in {@code withValue} take the next word. */
        private static List<String> afterOptions(List<String> args, String withValue) {
            int i = 0;
            while (i < args.size()) {
                String a = args.get(i);
                if (a.equals("--")) {
                    return args.subList(i + 1, args.size());
                }
                if (!a.startsWith("-") || a.equals("-")) {
                    break;
                }
                if (a.startsWith("--")) {
                    i += a.contains("=") || !longTakesValue(a) ? 1 : 2;
                    continue;
                }
                char last = a.charAt(a.length() - 1);
                i += a.length() == 2 && withValue.indexOf(last) >= 0 ? 2 : 1;
            }
            return args.subList(Math.min(i, args.size()), args.size());
        }

        private static boolean longTakesValue(String option) {
            return switch (option) {
                case "--user", "--group", "--workdir", "--env", "--name", "--network", "--net", "--volume",
                     "--mount", "--entrypoint", "--signal", "--kill-after", "--chdir", "--preserve-env",
                     "--login-shell", "--host", "--prompt", "--close-from", "--other-user", "--role", "--type" -> true;
                default -> false;
            };
        }

        private static List<String> afterNumbers(List<String> args) {
            int i = 0;
            while (i < args.size() && args.get(i).matches("-?\\d+|\\d+(,\\d+)*")) {
                i++;
            }
            return args.subList(i, args.size());
        }

        private void nested(String script, String stdin) {
            nested(script, stdin, positional);
        }

        /** Reads {@code script} as commands run from here, with $0, $1, ... bound to {@code arguments}. */
        private void nested(String script, String stdin, List<String> arguments) {
            if (depth >= MAX_DEPTH) {
                fail("commands nested too deeply to inspect");
                return;
            }
            if (script.indexOf(UNKNOWN) >= 0) {
                String shown = script.replace(UNKNOWN, '?');
                fail("runs a command built from values that cannot be known: " + shorten(shown));
            }
            Parser p = child(script.replace(UNKNOWN, '*'));
            p.positional = arguments;
            p.run();
            if (p.problem != null) {
                fail(p.problem);
            }
        }

        private Parser child(String script) {
            Parser p = new Parser(Text.decode(script), depth + 1, vars, execs, inlineCode, assignments);
            p.cwd = cwd;
            p.aliases.putAll(aliases);
            p.programCopies.putAll(programCopies);
            p.written = written;
            p.functions = functions;
            p.positional = positional;
            return p;
        }

        // ------------------------------------------------------------------ words

        private void skipBlanks() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\r') {
                    pos++;
                } else if (c == '\\' && pos + 1 < s.length() && s.charAt(pos + 1) == '\n') {
                    pos += 2;
                } else {
                    return;
                }
            }
        }

        private String rawWord() {
            int start = pos;
            while (pos < s.length() && !endsWord(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        /** One shell word after expansion; several fields when an unquoted expansion split it. */
        /** Reused by {@link #readWord}: callers copy the fields out before reading the next word. */
        private final List<String> fields = new ArrayList<>(4);
        private final StringBuilder word = new StringBuilder(32);

        private List<String> readWord() {
            fields.clear();
            StringBuilder cur = word;
            cur.setLength(0);
            boolean any = false;
            boolean braces = false;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (endsWord(c)) {
                    if ((c == '<' || c == '>') && pos + 1 < s.length() && s.charAt(pos + 1) == '(') {
                        processSubstitution(cur);
                        any = true;
                        continue;
                    }
                    if (c == '(' && cur.length() > 0 && (cur.charAt(cur.length() - 1) == '@'
                            || cur.charAt(cur.length() - 1) == '*' || cur.charAt(cur.length() - 1) == '?'
                            || cur.charAt(cur.length() - 1) == '+' || cur.charAt(cur.length() - 1) == '!')) {
                        // extglob @(a|b): keep as a glob
                        int close = s.indexOf(')', pos);
                        if (close < 0) {
                            throw new ParseError("unterminated extglob");
                        }
                        cur.setLength(cur.length() - 1);
                        cur.append('*');
                        pos = close + 1;
                        continue;
                    }
                    break;
                }
                any = true;
                switch (c) {
                    case '\'' -> {
                        int end = s.indexOf('\'', pos + 1);
                        if (end < 0) {
                            throw new ParseError("unterminated ' quote");
                        }
                        cur.append(s, pos + 1, end);
                        pos = end + 1;
                    }
                    case '"' -> {
                        pos++;
                        doubleQuoted(cur);
                    }
                    case '\\' -> {
                        if (pos + 1 < s.length()) {
                            if (s.charAt(pos + 1) != '\n') {
                                cur.append(s.charAt(pos + 1));
                            }
                            pos += 2;
                        } else {
                            pos++;
                        }
                    }
                    case '$' -> {
                        if (pos + 1 < s.length() && s.charAt(pos + 1) == '\'') {
                            int end = ansiEnd(pos + 2);
                            cur.append(ansiC(s.substring(pos + 2, end)));
                            pos = end + 1;
                        } else if (pos + 1 < s.length() && s.charAt(pos + 1) == '"') {
                            pos += 2;
                            doubleQuoted(cur);
                        } else {
                            String value = dollar();
                            split(value, cur, fields);
                        }
                    }
                    case '`' -> {
                        String value = backtick();
                        split(value, cur, fields);
                    }
                    case '~' -> {
                        if (cur.length() == 0) {
                            cur.append(HOME);
                        } else {
                            cur.append('~');
                        }
                        pos++;
                    }
                    case '{' -> {
                        braces = true;
                        cur.append(c);
                        pos++;
                    }
                    default -> {
                        // a run of ordinary characters is copied at once
                        int end = pos + 1;
                        while (end < s.length() && ordinary(s.charAt(end))) {
                            end++;
                        }
                        cur.append(s, pos, end);
                        pos = end;
                    }
                }
            }
            if (any && (cur.length() > 0 || fields.isEmpty() && !lastWasExpansionOnly)) {
                fields.add(cur.toString());
            }
            lastWasExpansionOnly = false;
            if (braces) {
                List<String> expanded = new ArrayList<>(); // a fresh list: brace expansion is rare
                for (String f : fields) {
                    expanded.addAll(braceExpand(f));
                }
                return expanded;
            }
            return fields;
        }

        private boolean lastWasExpansionOnly;

        /** Characters that end a word or start quoting, escaping, expansion or braces are not ordinary. */
        private static boolean ordinary(char c) {
            return c > ' ' && (c >= 0x80 || !SPECIAL[c]);
        }

        /** Blanks and operators: {@code " \t\n;&|<>()"}. */
        private static boolean endsWord(char c) {
            return c < 0x80 && WORD_END[c];
        }

        // Tables rather than String.indexOf per character: the tokenizer reads every character of a command.
        private static final boolean[] WORD_END = asciiSet(" \t\n;&|<>()");
        private static final boolean[] SPECIAL = asciiSet(" \t\n;&|<>()'\"\\$`~{");

        private static boolean[] asciiSet(String chars) {
            boolean[] set = new boolean[0x80];
            for (int i = 0; i < chars.length(); i++) {
                set[chars.charAt(i)] = true;
            }
            return set;
        }

        private int ansiEnd(int from) {
            int i = from;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i += 2;
                } else if (c == '\'') {
                    return i;
                } else {
                    i++;
                }
            }
            throw new ParseError("unterminated $' quote");
        }

        /** Unquoted expansion results are split on IFS: ${IFS} between words makes separate words. */
        private void split(String value, StringBuilder cur, List<String> fields) {
            String ifs = vars.getOrDefault("IFS", " \t\n");
            boolean splitAny = false;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (ifs.indexOf(c) >= 0 && !ifs.isEmpty()) {
                    if (cur.length() > 0) {
                        fields.add(cur.toString());
                        cur.setLength(0);
                    }
                    splitAny = true;
                } else {
                    cur.append(c);
                }
            }
            lastWasExpansionOnly = value.isEmpty() || splitAny && cur.length() == 0;
        }

        private void doubleQuoted(StringBuilder cur) {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '"') {
                    pos++;
                    return;
                }
                if (c == '\\' && pos + 1 < s.length()) {
                    char e = s.charAt(pos + 1);
                    if ("$`\"\\\n".indexOf(e) >= 0) {
                        if (e != '\n') {
                            cur.append(e);
                        }
                        pos += 2;
                    } else {
                        cur.append('\\');
                        pos++;
                    }
                    continue;
                }
                if (c == '$') {
                    cur.append(dollar());
                    continue;
                }
                if (c == '`') {
                    cur.append(backtick());
                    continue;
                }
                cur.append(c);
                pos++;
            }
            throw new ParseError("unterminated \" quote");
        }

        private String dollar() {
            // at '$'
            if (pos + 1 >= s.length()) {
                pos++;
                return "$";
            }
            char n = s.charAt(pos + 1);
            if (n == '(') {
                if (pos + 2 < s.length() && s.charAt(pos + 2) == '(') {
                    skipArithmetic();
                    return String.valueOf(UNKNOWN);
                }
                pos += 2;
                return substitution(')');
            }
            if (n == '{') {
                int close = matching(pos + 1, '{', '}');
                String inner = s.substring(pos + 2, close);
                pos = close + 1;
                return parameter(inner);
            }
            if (Character.isLetter(n) || n == '_') {
                int j = pos + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                String name = s.substring(pos + 1, j);
                pos = j;
                return variable(name);
            }
            if (Character.isDigit(n) || "@*#?$!-".indexOf(n) >= 0) {
                pos += 2;
                String bound = positional(String.valueOf(n));
                if (bound != null) {
                    return bound;
                }
                return n == '#' || n == '?' ? "0" : String.valueOf(UNKNOWN);
            }
            pos++;
            return "$";
        }

        /** $N, $@, $* and $# where the caller bound the arguments; null when they are not known. */
        private String positional(String name) {
            if (positional == null || positional.isEmpty()) {
                return null;
            }
            List<String> rest = positional.subList(1, positional.size());
            return switch (name) {
                case "@" -> String.join(" ", rest);
                case "*" -> {
                    String ifs = variable("IFS"); // "$*" joins with IFS's first character
                    yield String.join(ifs.isEmpty() || ifs.charAt(0) == UNKNOWN ? "" : ifs.substring(0, 1), rest);
                }
                case "#" -> String.valueOf(rest.size());
                default -> {
                    if (name.isEmpty() || !name.chars().allMatch(Character::isDigit) || name.length() > 3) {
                        yield null;
                    }
                    int k = Integer.parseInt(name);
                    yield k < positional.size() ? positional.get(k) : "";
                }
            };
        }

        private static final java.util.regex.Pattern SUBSCRIPT = java.util.regex.Pattern.compile("\\[(\\d{1,4}|@|\\*)]");

        /** declare -n NAME=TARGET: NAME is another name for TARGET (kept in vars under a key no name can have). */
        private static final String NAMEREF = "\0nameref:";

        private String variable(String name) {
            for (int hops = 0; hops < 8 && vars.containsKey(NAMEREF + name); hops++) {
                name = vars.get(NAMEREF + name);
            }
            String v = vars.get(name);
            if (v != null) {
                return v;
            }
            String bound = positional(name);
            if (bound != null) {
                return bound;
            }
            return switch (name) {
                case "IFS" -> " ";
                case "HOME" -> HOME;
                case "PATH" -> "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
                case "USER", "LOGNAME" -> "hydra";
                case "SHELL", "BASH" -> "/bin/bash";
                default -> String.valueOf(UNKNOWN);
            };
        }

        private String parameter(String inner) {
            if (inner.startsWith("!") && inner.length() > 1 && inner.substring(1).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                // ${!g}: the value of the variable that g names
                String target = variable(inner.substring(1));
                return target.matches("[A-Za-z_][A-Za-z0-9_]*") ? variable(target) : String.valueOf(UNKNOWN);
            }
            if (inner.startsWith("#") || inner.startsWith("!")) {
                return String.valueOf(UNKNOWN);
            }
            int j = 0;
            while (j < inner.length() && (Character.isLetterOrDigit(inner.charAt(j)) || inner.charAt(j) == '_')) {
                j++;
            }
            String name = inner.substring(0, j);
            String op = inner.substring(j);
            java.util.regex.Matcher subscript = SUBSCRIPT.matcher(op);
            if (!name.isEmpty() && subscript.lookingAt()) {
                // ${a[1]}, ${a[@]}: an element (or all) of an array this line assigned
                String index = subscript.group(1).equals("*") ? "@" : subscript.group(1);
                String element = vars.get(name + "[" + index + "]");
                return element != null && subscript.end() == op.length() ? element : String.valueOf(UNKNOWN);
            }
            String value = name.isEmpty() ? String.valueOf(UNKNOWN) : variable(name);
            boolean unset = value.equals(String.valueOf(UNKNOWN)) && !vars.containsKey(name);
            if (op.isEmpty()) {
                return value;
            }
            if (op.startsWith(":-") || op.startsWith(":=") || op.startsWith("-") || op.startsWith("=")) {
                String def = expandText(op.substring(op.startsWith(":") ? 2 : 1));
                if (unset || value.isEmpty() && op.startsWith(":")) {
                    if (op.contains("=")) {
                        vars.put(name, def);
                    }
                    return def;
                }
                return value;
            }
            if (op.startsWith(":+") || op.startsWith("+")) {
                return unset ? "" : expandText(op.substring(op.startsWith(":") ? 2 : 1));
            }
            if (unset) {
                return String.valueOf(UNKNOWN);
            }
            if (op.equals("@P")) {
                // prompt expansion runs the command substitutions in the value (x='$(cmd)'; ${x@P})
                if (value.contains("$(") || value.contains("`")) {
                    fail("prompt expansion (${" + name + "@P}) runs the commands in a value");
                }
                return value.indexOf('\\') >= 0 ? String.valueOf(UNKNOWN) : value;
            }
            if (op.equals("@E")) {
                return ansiC(value); // the value's backslash escapes expanded, as in $'...'
            }
            if (op.equals("@Q") || op.equals("@U") || op.equals("@u") || op.equals("@L")) {
                return op.equals("@Q") ? value : op.equals("@L") ? value.toLowerCase(Locale.ROOT)
                        : op.equals("@U") ? value.toUpperCase(Locale.ROOT)
                        : value.isEmpty() ? value : value.substring(0, 1).toUpperCase(Locale.ROOT) + value.substring(1);
            }
            if (op.equals("^^")) {
                return value.toUpperCase(Locale.ROOT);
            }
            if (op.equals(",,")) {
                return value.toLowerCase(Locale.ROOT);
            }
            if (op.startsWith(":") && op.substring(1).matches("\\s*\\d+(:\\d+)?")) {
                String[] parts = op.substring(1).trim().split(":");
                int from = Math.min(value.length(), Integer.parseInt(parts[0]));
                int to = parts.length > 1 ? Math.min(value.length(), from + Integer.parseInt(parts[1])) : value.length();
                return value.substring(from, to);
            }
            if (op.startsWith("//") || op.startsWith("/")) {
                boolean all = op.startsWith("//");
                String[] pr = op.substring(all ? 2 : 1).split("/", 2);
                String rep = pr.length > 1 ? pr[1] : "";
                if (pr[0].matches("[^*?\\[]*")) {
                    return all ? value.replace(pr[0], rep) : value.replaceFirst(java.util.regex.Pattern.quote(pr[0]),
                            java.util.regex.Matcher.quoteReplacement(rep));
                }
            }
            if ((op.startsWith("#") || op.startsWith("%")) && op.replaceFirst("^(##?|%%?)", "").matches("[^*?\\[]*")) {
                String pat = op.replaceFirst("^(##?|%%?)", "");
                if (op.startsWith("#") && value.startsWith(pat)) {
                    return value.substring(pat.length());
                }
                if (op.startsWith("%") && value.endsWith(pat)) {
                    return value.substring(0, value.length() - pat.length());
                }
                return value;
            }
            return String.valueOf(UNKNOWN);
        }

        /** The words of a text, expanded as a command's arguments are. */
        private List<String> words(String text) {
            Parser p = child(text);
            List<String> words = new ArrayList<>();
            while (p.pos < p.s.length()) {
                p.skipBlanks();
                if (p.pos >= p.s.length()) {
                    break;
                }
                words.addAll(p.readWord());
                if (p.pos < p.s.length() && " \t\n".indexOf(p.s.charAt(p.pos)) < 0) {
                    p.pos++;
                }
            }
            return words;
        }

        private String expandText(String text) {
            Parser p = child(text);
            List<String> words = new ArrayList<>();
            while (p.pos < p.s.length()) {
                p.skipBlanks();
                if (p.pos >= p.s.length()) {
                    break;
                }
                List<String> w = p.readWord();
                words.addAll(w);
                if (p.pos < p.s.length() && " \t\n".indexOf(p.s.charAt(p.pos)) < 0) {
                    p.pos++;
                }
            }
            return String.join(" ", words);
        }

        /** $( ... ) or ` ... `: its commands run; its value is known only for pure echo/decode pipelines. */
        private String substitution(char close) {
            int start = pos;
            int end = close == ')' ? matching(start - 1, '(', ')') : s.indexOf('`', start);
            if (end < 0) {
                throw new ParseError("unterminated command substitution");
            }
            String inner = s.substring(start, end);
            pos = end + 1;
            if (inner.isBlank()) {
                return "";
            }
            if (depth >= MAX_DEPTH) {
                fail("commands nested too deeply to inspect");
                return String.valueOf(UNKNOWN);
            }
            Parser p = child(inner);
            p.run();
            if (p.problem != null) {
                fail(p.problem);
            }
            String value = p.lastPipelineValue;
            if (value == null) {
                return String.valueOf(UNKNOWN);
            }
            return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
        }

        private String lastPipelineValue;

        private String backtick() {
            pos++;
            return substitution('`');
        }

        private void processSubstitution(StringBuilder cur) {
            pos++; // at '(' now
            int end = matching(pos, '(', ')');
            String inner = s.substring(pos + 1, end);
            pos = end + 1;
            String placeholder = "/dev/fd/" + (63 - processSubstitutions.size());
            Parser p = child(inner);
            p.run();
            if (p.problem != null) {
                fail(p.problem);
            }
            processSubstitutions.put(placeholder, p.lastPipelineValue);
            cur.append(placeholder);
        }

        /**
         * Skips (( expr )) or $(( expr )) in one pass, counting the parentheses inside, so that the
         * end is the "))" that closes it and a line of ten thousand '(' costs ten thousand steps.
         */
        private void skipArithmetic() {
            if (!arithmetic()) {
                throw new ParseError("unterminated arithmetic");
            }
        }

        /**
         * At (( or $((: skips the expression when a "))" closes it, else stays put (bash then reads
         * "((cmd) )" as subshells). Whether it closes is seen by the matching parentheses, not the next
         * "))": ((a+(b))) is one expression.
         */
        private boolean arithmetic() {
            int level = 0;
            boolean substitution = false;
            int start = pos + (s.charAt(pos) == '$' ? 3 : 2);
            for (int i = start; i < s.length(); i++) {
                char c = s.charAt(i);
                substitution |= c == '`' || c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '(';
                if (c == '(') {
                    Budget.nesting(++level, "arithmetic parentheses");
                } else if (c == ')') {
                    if (level == 0) {
                        if (i + 1 >= s.length() || s.charAt(i + 1) != ')') {
                            return false;
                        }
                        if (substitution) {
                            substitutions(start, i); // $(( a[$(cmd)] )): the command runs
                        }
                        pos = i + 2;
                        return true;
                    }
                    level--;
                }
            }
            return false;
        }

        /**
         * The $(...) substitutions of an arithmetic expression between {@code from} and {@code to}, read as
         * the commands they run; a backtick one is not read (it fails closed).
         */
        private void substitutions(int from, int to) {
            for (int k = from; k < to; k++) {
                char c = s.charAt(k);
                if (c == '`') {
                    fail("command substitution inside arithmetic");
                    return;
                }
                if (c == '$' && k + 2 < to && s.charAt(k + 1) == '(' && s.charAt(k + 2) == '(') {
                    k += 2; // $(( inside: arithmetic again, whose own substitutions this loop reaches
                } else if (c == '$' && k + 1 < to && s.charAt(k + 1) == '(') {
                    int close = matching(k + 1, '(', ')');
                    if (close < 0 || close > to) {
                        fail("command substitution inside arithmetic");
                        return;
                    }
                    nested(s.substring(k + 2, close), null);
                    k = close;
                }
            }
        }

        /** Index of the bracket closing the one at {@code open}, skipping quotes. */
        private int matching(int open, char o, char c) {
            int level = 0;
            for (int i = open; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '\\') {
                    i++;
                } else if (ch == '\'' && o != '{') {
                    int end = s.indexOf('\'', i + 1);
                    if (end < 0) {
                        break;
                    }
                    i = end;
                } else if (ch == '"') {
                    int j = i + 1;
                    while (j < s.length() && s.charAt(j) != '"') {
                        if (s.charAt(j) == '\\') {
                            j++;
                        }
                        j++;
                    }
                    i = j;
                } else if (ch == o) {
                    level++;
                } else if (ch == c) {
                    level--;
                    if (level == 0) {
                        return i;
                    }
                }
            }
            throw new ParseError("unbalanced '" + o + "'");
        }

        /**
         * Bash brace expansion ({a,b}c is ac bc). The words grow as the product of the groups, so the
         * expansion stops at {@link Budget#MAX_WORDS} words: six groups of twenty would be 64 million.
         */
        private static List<String> braceExpand(String word) {
            List<String> out = new ArrayList<>();
            braceExpand(word, out, 0);
            return out;
        }

        /** {@code groups}: groups expanded on the way here; each doubles the words at least, so 13 pass the budget. */
        private static void braceExpand(String word, List<String> out, int groups) {
            if (groups > 12) {
                throw new Budget.Exceeded("brace expansion to more than " + Budget.MAX_WORDS + " words");
            }
            int open = -1;
            int level = 0;
            int comma = -1;
            for (int i = 0; i < word.length(); i++) {
                char c = word.charAt(i);
                if (c == '{') {
                    if (level == 0) {
                        open = i;
                        comma = -1;
                    }
                    level++;
                    Budget.nesting(level, "brace groups");
                } else if (c == ',' && level == 1) {
                    comma = i;
                } else if (c == '}' && level > 0) {
                    level--;
                    if (level == 0 && comma > 0) {
                        int depthInner = 0;
                        int from = open + 1;
                        for (int k = open + 1; k <= i; k++) {
                            char ch = word.charAt(k);
                            if (ch == '{') {
                                depthInner++;
                            } else if (ch == '}' && depthInner > 0) {
                                depthInner--;
                            } else if ((ch == ',' && depthInner == 0) || k == i) {
                                braceExpand(word.substring(0, open) + word.substring(from, k) + word.substring(i + 1), out,
                                        groups + 1);
                                from = k + 1;
                            }
                        }
                        return;
                    }
                }
            }
            if (out.size() >= Budget.MAX_WORDS) {
                throw new Budget.Exceeded("brace expansion to more than " + Budget.MAX_WORDS + " words");
            }
            out.add(word);
        }

        private static String shorten(String text) {
            return text.length() > 80 ? text.substring(0, 77) + "..." : text;
        }
    }

    private static final class ParseError extends RuntimeException {
        ParseError(String message) {
            super(message, null, false, false);
        }
    }
}
