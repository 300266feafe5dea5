package dev.hydra.constitution.rules.shell;

import dev.hydra.constitution.rules.text.Budget;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a piece of inline program code (python3 -c, node -e, perl -e, ruby -e, php -r, awk) does that a
 * shell command could say, when the code spells it out with string literals: a shell command handed to
 * os.system / subprocess / child_process / system(), and files deleted, written or moved through the
 * language's own calls. Each is given back as the equivalent shell command, so the one reader of
 * commands judges its targets. Code that builds its names at run time gives nothing here; the rules
 * still see the code itself and ask a person about what it touches.
 */
final class InlineCode {
    /**
     * A string literal on one line, as two groups (single-quoted, double-quoted): {@link #text} takes
     * the one that matched. Character classes, not alternations, so a long literal costs no stack.
     */
    private static final String LITERAL = "[rbfu]?(?:'([^'\\n]{0,4096})'|\"([^\"\\n]{0,4096})\")";
    /** A shell command handed to the system's shell. */
    private static final Pattern RUNS_SHELL = Pattern.compile("(?:\\bos\\.(?:system|popen)|\\bsubprocess\\.\\w+"
            + "|\\bcommands\\.getoutput|\\bexec(?:Sync)?|\\bspawnSync|\\bsystem|\\bshell_exec|\\bpassthru|\\bpopen"
            + "|\\bqx)\\s*[({]?\\s*" + LITERAL);
    /** The same with the program and its arguments as a list: subprocess.run(['rm', '-f', 'x']). */
    private static final Pattern RUNS_LIST = Pattern.compile("(?:\\bsubprocess\\.\\w+|\\bos\\.exec\\w*|\\bspawn(?:Sync)?"
            + "|\\bexecFile(?:Sync)?|\\bsystem)\\s*\\(\\s*\\[([^\\]]{0,4096})]");
    private static final Pattern LITERALS = Pattern.compile(LITERAL);
    private static final Pattern DELETES = Pattern.compile("(?:\\bos\\.(?:remove|unlink|rmdir|removedirs)"
            + "|\\bshutil\\.rmtree|\\bfs\\.(?:unlink|rm|rmdir)(?:Sync)?|\\bFile(?:Utils)?\\.(?:delete|unlink|rm\\w*)"
            + "|\\bunlink|\\brmdir|\\b(?:rm|unlink|rmdir)Sync)\\s*\\(?\\s*" + LITERAL);
    /** A file opened for writing or written whole: open('x', 'w'), fs.writeFileSync('x', ...). */
    private static final Pattern WRITES = Pattern.compile("(?:\\bfs\\.(?:writeFile|appendFile|truncate)(?:Sync)?"
            + "|\\b(?:writeFile|appendFile|truncate)Sync"
            + "|\\bfile_put_contents|\\bFile\\.write|\\btruncate)\\s*\\(\\s*" + LITERAL
            + "|\\b(?:open|fopen|File\\.open|io\\.open)\\s*\\(\\s*" + LITERAL
            + "\\s*,\\s*(?:mode\\s*=\\s*)?['\"][^'\"]{0,8}[wax+]");
    /** awk's print (or printf) into a file: print > "FILE", print $0 >> "FILE". */
    private static final Pattern PRINTS_TO = Pattern.compile("\\bprintf?\\b[^;>|\\n]{0,4096}>{1,2}\\s*" + LITERAL);
    /** pathlib: Path('x').unlink(), .write_text(...); group 3 is the method. */
    private static final Pattern PATH_CALL = Pattern.compile("\\bPath\\s*\\(\\s*" + LITERAL
            + "\\s*\\)\\s*\\.\\s*(unlink|rmdir|write_text|write_bytes|touch|rename|replace|symlink_to)\\b");
    /** Group 1 is the call: a copy leaves its source in place, a move or rename does not. */
    private static final Pattern MOVES = Pattern.compile("(\\bos\\.(?:rename|replace)|\\bshutil\\.(?:move|copy\\w*)"
            + "|\\bfs\\.(?:rename|copyFile)(?:Sync)?|\\bFile(?:Utils)?\\.(?:rename|mv|cp)|\\brename|\\bcopy)\\s*\\(\\s*"
            + LITERAL + "\\s*,\\s*" + LITERAL);

    /** Commands read from one piece of code; a script spelling out more is read that far (and says so). */
    static final int MAX_COMMANDS = 64;

    private InlineCode() {
    }

    /** Two literals joined by + (Python, JavaScript, Ruby) or . (Perl, PHP): one literal. */
    private static final Pattern CONCATENATION = Pattern.compile(LITERAL + "\\s*[+.]\\s*" + LITERAL);
    /** os.path.join('a', 'b'), path.join("a", "b"), File.join(...): the literals joined with '/'. */
    private static final Pattern PATH_JOIN = Pattern.compile(
            "\\b(?:os\\.path\\.join|path\\.join|path\\.resolve|File\\.join|join_paths)\\s*\\(((?:\\s*" + LITERAL
            + "\\s*,?){1,16})\\)");
    /** ['a', 'b'].join('/'), '/'.join(['a', 'b']): the literals joined with the separator. */
    private static final Pattern LIST_JOIN = Pattern.compile("\\[((?:\\s*" + LITERAL + "\\s*,?){1,16})]\\s*\\.\\s*join\\s*\\(\\s*"
            + LITERAL + "\\s*\\)|" + LITERAL + "\\s*\\.\\s*join\\s*\\(\\s*\\[((?:\\s*" + LITERAL + "\\s*,?){1,16})]\\s*\\)");
    /** Rounds of joining: 'a' + 'b' + 'c' takes two. */
    private static final int JOIN_ROUNDS = 16;

    /**
     * The code with names it builds from literals written out whole: 'config/' + 'constitution.yaml',
     * os.path.join('config', 'constitution.yaml') and ['config', 'constitution.yaml'].join('/') each become
     * one literal, so the calls below see the name a program would open.
     */
    static String joined(String code) {
        String c = code;
        for (int round = 0; round < JOIN_ROUNDS; round++) {
            Budget.tick();
            String before = c;
            c = replace(PATH_JOIN, c, m -> literal(String.join("/", literals(m.group(1)))));
            c = replace(LIST_JOIN, c, m -> m.group(1) != null
                    ? literal(String.join(text(m, 4), literals(m.group(1))))
                    : literal(String.join(text(m, 6), literals(m.group(8)))));
            c = replace(CONCATENATION, c, m -> literal(text(m, 1) + text(m, 3)));
            if (c.equals(before)) {
                break;
            }
        }
        return c;
    }

    private static String replace(Pattern p, String text, java.util.function.Function<Matcher, String> with) {
        Matcher m = p.matcher(text);
        StringBuilder b = new StringBuilder();
        boolean any = false;
        while (m.find()) {
            any = true;
            m.appendReplacement(b, Matcher.quoteReplacement(with.apply(m)));
        }
        if (!any) {
            return text;
        }
        m.appendTail(b);
        return b.toString();
    }

    private static List<String> literals(String list) {
        List<String> out = new ArrayList<>();
        Matcher w = LITERALS.matcher(list);
        while (w.find()) {
            out.add(text(w, 1));
        }
        return out;
    }

    static List<String> commands(String code) {
        List<String> out = new ArrayList<>();
        if (code.length() > Budget.MAX_INPUT_CHARS) {
            return out;
        }
        Budget.tick();
        code = joined(code);
        Matcher m = RUNS_SHELL.matcher(code);
        while (out.size() <= MAX_COMMANDS && m.find()) {
            out.add(text(m, 1));
        }
        m = RUNS_LIST.matcher(code);
        while (out.size() <= MAX_COMMANDS && m.find()) {
            List<String> words = new ArrayList<>();
            Matcher w = LITERALS.matcher(m.group(1));
            while (w.find()) {
                words.add(quote(text(w, 1)));
            }
            if (!words.isEmpty()) {
                out.add(String.join(" ", words));
            }
        }
        m = DELETES.matcher(code);
        while (out.size() <= MAX_COMMANDS && m.find()) {
            out.add("rm -rf -- " + quote(text(m, 1)));
        }
        m = WRITES.matcher(code);
        while (out.size() <= MAX_COMMANDS && m.find()) {
            out.add(": > " + quote(m.start(1) >= 0 || m.start(2) >= 0 ? text(m, 1) : text(m, 3)));
        }
        m = PRINTS_TO.matcher(code);
        while (out.size() <= MAX_COMMANDS && m.find()) {
            out.add(": > " + quote(text(m, 1)));
        }
        m = PATH_CALL.matcher(code);
        while (out.size() <= MAX_COMMANDS && m.find()) {
            String verb = m.group(3);
            String path = quote(text(m, 1));
            out.add(verb.equals("unlink") || verb.equals("rmdir") || verb.equals("rename") || verb.equals("replace")
                    ? "rm -rf -- " + path : ": > " + path);
        }
        m = MOVES.matcher(code);
        while (out.size() <= MAX_COMMANDS && m.find()) {
            String call = m.group(1).toLowerCase(Locale.ROOT);
            boolean copy = call.contains("cop") || call.endsWith("cp");
            out.add((copy ? "cp -- " : "mv -- ") + quote(text(m, 2)) + " " + quote(text(m, 4)));
        }
        return out.size() > MAX_COMMANDS ? out.subList(0, MAX_COMMANDS) : out;
    }

    /** The text of the literal whose single-quoted form is group {@code single} (double-quoted: the next). */
    private static String text(Matcher m, int single) {
        return m.group(single) != null ? m.group(single) : m.group(single + 1);
    }

    /** The text as one literal of the code: single-quoted unless it holds a single quote. */
    private static String literal(String text) {
        return text.indexOf('\'') < 0 ? "'" + text + "'" : "\"" + text.replace("\"", "") + "\"";
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
