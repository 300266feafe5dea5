package dev.hydra.constitution.rules.sql;

import dev.hydra.constitution.rules.text.Budget;
import dev.hydra.constitution.rules.text.Decoders;
import dev.hydra.constitution.rules.text.Text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads SQL the way a database would, so that rules see statements rather than text: comments of
 * every dialect are dropped (MySQL's executable {@code /*! *}{@code /} comments are kept as code),
 * strings are values not keywords, dynamic SQL ({@code EXECUTE}, {@code PREPARE ... FROM CONCAT(...)},
 * {@code DO $$ ... $$}) is evaluated and read again, and each statement gets a canonical rendering
 * (upper-case words, one space between tokens, a tautological or missing DELETE condition rendered
 * {@code WHERE 1=1}, TRUNCATE also rendered as that DELETE, MySQL's DROP SCHEMA also as DROP DATABASE).
 *
 * <p>PostgreSQL and MySQL disagree about {@code #}, {@code --x}, backslashes in strings, nested
 * comments and double quotes; the text is read both ways and every statement either reading finds
 * counts. Only when neither reading gets through the text is it reported as unreadable.
 */
public final class Sql {

    /** One statement as the database would run it. */
    public record Statement(String verb, List<String> renderings, String database, boolean ddl) {
        public String rendering() {
            return renderings.get(0);
        }
    }

    /** The statements found, shell commands the SQL would run, and why reading stopped (or null). */
    /**
     * What SQL does: its statements, the shell commands it runs on the server (COPY ... PROGRAM) and the
     * server's files it writes (COPY ... TO 'file', lo_export, adminpack's pg_file_write).
     */
    public record Analysis(List<Statement> statements, List<String> shellCommands, List<String> filesWritten,
                           String problem) {
    }

    private static final int MAX_DEPTH = 4;
    private static final Set<String> VERBS = Set.of("DROP", "DELETE", "TRUNCATE", "ALTER", "CREATE", "RENAME",
            "EXECUTE", "EXEC", "PREPARE", "DO", "USE", "COPY", "CALL", "GRANT", "REVOKE", "UPDATE", "INSERT",
            "MERGE", "SET", "SELECT", "WITH", "COMMENT", "REINDEX", "VACUUM", "CLUSTER");
    /** Functions that write a file of the database server, named by one of their text arguments. */
    private static final Set<String> FILE_WRITERS = Set.of("LO_EXPORT", "PG_FILE_WRITE", "PG_FILE_RENAME",
            "PG_FILE_UNLINK", "PG_FILE_SYNC");
    private static final Set<String> SQL_RUNNERS = Set.of("DBLINK_EXEC", "DBLINK", "DBLINK_SEND_QUERY",
            "QUERY_TO_XML", "QUERY_TO_XML_AND_XMLSCHEMA", "SYS_EXEC", "XP_CMDSHELL");
    private static final Set<String> BOUNDARY_WORDS = Set.of("BEGIN", "THEN", "ELSE", "LOOP", "DECLARE", "END",
            "ATOMIC", "AS", "EXPLAIN", "ANALYZE", "VERBOSE");
    private static final Set<String> DDL = Set.of("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT");
    private static final Set<String> NON_IDENTIFIERS = Set.of("TRUE", "FALSE", "NULL", "NOT", "AND", "OR", "IS",
            "IN", "LIKE", "ILIKE", "BETWEEN", "CAST", "AS", "INT", "INTEGER", "TEXT", "VARCHAR", "CHAR", "CHR",
            "BOOLEAN", "BOOL", "UNKNOWN", "ANY", "ALL", "SOME", "CONCAT", "LOWER", "UPPER", "COALESCE", "ABS",
            "LENGTH", "ESCAPE", "SIMILAR", "TO", "REGEXP", "RLIKE", "DIV", "MOD", "XOR", "EXISTS", "SELECT");

    private Sql() {
    }

    public static Analysis analyze(String decodedSql) {
        return analyze(decodedSql, null, 0);
    }

    /**
     * Words without which no statement can matter to a rule: the verbs that change data or schema,
     * run dynamic SQL or switch databases. SQL containing none of them as a word (after decoding) is
     * only queries, whatever its comments or quoting, and is not parsed.
     */
    public static final String[] TRIGGERS = {"DROP", "DELETE", "TRUNCATE", "ALTER", "CREATE", "RENAME", "EXECUTE",
            "EXEC", "PREPARE", "DO", "USE", "COPY", "CALL", "GRANT", "REVOKE", "MERGE", "COMMENT", "REINDEX",
            "VACUUM", "CLUSTER"};

    /** TRIGGERS by initial (a..z): an ASCII word is compared only with the triggers it could be. */
    private static final String[][] TRIGGERS_BY_INITIAL = new String[26][0];

    static {
        for (String t : TRIGGERS) {
            int k = Character.toLowerCase(t.charAt(0)) - 'a';
            String[] bucket = Arrays.copyOf(TRIGGERS_BY_INITIAL[k], TRIGGERS_BY_INITIAL[k].length + 1);
            bucket[bucket.length - 1] = t;
            TRIGGERS_BY_INITIAL[k] = bucket;
        }
    }

    /** A U&'...' string's text: \XXXX and \+XXXXXX are code points, \\ a backslash. */
    static String unicodeEscapes(String t) {
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '\\' && i + 1 < t.length() && t.charAt(i + 1) == '\\') {
                b.append('\\');
                i++;
            } else if (c == '\\' && i + 8 <= t.length() && t.charAt(i + 1) == '+'
                    && t.substring(i + 2, i + 8).matches("[0-9A-Fa-f]{6}")) {
                b.appendCodePoint(Integer.parseInt(t.substring(i + 2, i + 8), 16));
                i += 7;
            } else if (c == '\\' && i + 5 <= t.length() && t.substring(i + 1, i + 5).matches("[0-9A-Fa-f]{4}")) {
                b.append((char) Integer.parseInt(t.substring(i + 1, i + 5), 16));
                i += 4;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Whether the text may call one of the {@link #FILE_WRITERS} (lo_export, pg_file_write, ...). */
    private static boolean mayWriteFiles(String sql) {
        for (int i = sql.indexOf('_'); i > 1; i = sql.indexOf('_', i + 1)) {
            if (sql.regionMatches(true, i - 2, "lo_export", 0, 9) || sql.regionMatches(true, i - 2, "pg_file_", 0, 8)) {
                return true;
            }
        }
        return false;
    }

    public static boolean mayMatter(String sql) {
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\\') {
                return true; // psql meta-commands
            }
            if (!letter(c)) {
                i++;
                continue;
            }
            int start = i;
            boolean ascii = true;
            while (i < n) {
                char w = sql.charAt(i);
                if (!wordChar(w)) {
                    break;
                }
                ascii &= w < 0x80;
                i++;
            }
            int len = i - start;
            if (len >= 2 && len <= 8) {
                // a non-ASCII letter may fold onto a trigger's (dotless i upper-cases to I): those words try them all
                String[] candidates = ascii ? TRIGGERS_BY_INITIAL[(c | 0x20) - 'a'] : TRIGGERS;
                for (String t : candidates) {
                    if (t.length() == len && sql.regionMatches(true, start, t, 0, len)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // Character.isLetter and isLetterOrDigit, answered for ASCII without their Unicode tables.
    private static boolean letter(char c) {
        return c < 0x80 ? c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' : Character.isLetter(c);
    }

    /** Nesting deeper than the budget is refused before reading: each level is a frame of the reader. */
    private static void parentheses(String sql) {
        int level = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '(') {
                Budget.nesting(++level, "SQL parentheses");
            } else if (c == ')' && level > 0) {
                level--;
            }
        }
    }

    private static boolean wordChar(char c) {
        return c < 0x80 ? letter(c) || c >= '0' && c <= '9' || c == '_' : Character.isLetterOrDigit(c);
    }

    public static Analysis analyze(String sql, String database, int depth) {
        if (!mayMatter(sql) && !mayWriteFiles(sql)) {
            return new Analysis(List.of(), List.of(), List.of(), null);
        }
        Budget.tick();
        parentheses(sql);
        List<Statement> statements = new ArrayList<>();
        List<String> shell = new ArrayList<>();
        List<String> files = new ArrayList<>();
        String pg = new Reading(sql, Dialect.POSTGRES, database, depth, statements, shell, files).run();
        String my = needsMysqlReading(sql)
                ? new Reading(sql, Dialect.MYSQL, database, depth, statements, shell, files).run() : pg;
        String problem = null;
        if (pg != null && pg.startsWith("!")) {
            problem = pg.substring(1);
        } else if (my != null && my.startsWith("!")) {
            problem = my.substring(1);
        } else if (pg != null && my != null) {
            problem = pg;
        }
        return new Analysis(statements, shell, files, problem);
    }

    private static boolean needsMysqlReading(String sql) {
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '#' || c == '\\' || c == '"' || c == '`' || c == '[' || c == '$' || c == '@'
                    || (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*')
                    || (c == '-' && i + 2 < sql.length() && sql.charAt(i + 1) == '-'
                    && !Character.isWhitespace(sql.charAt(i + 2)))) {
                return true;
            }
        }
        return false;
    }

    public enum Dialect { POSTGRES, MYSQL }

    public enum Kind { WORD, IDENT, STRING, NUMBER, OP, SEMI, META }

    public record Token(Kind kind, String text) {
        boolean isWord(String word) {
            return kind == Kind.WORD && text.equals(word);
        }

        String render() {
            return switch (kind) {
                case STRING -> "'?'"; // a value, never a keyword: patterns must not match inside it
                default -> text;
            };
        }
    }

    /** One reading of the text in one dialect; adds what it finds to the shared lists. */
    private static final class Reading {
        private final String src;
        private final Dialect dialect;
        private final int depth;
        private final List<Statement> out;
        private final List<String> shell;
        private final List<String> files;
        private final Map<String, String> variables = new HashMap<>();
        private final Map<String, String> prepared = new HashMap<>();
        private String database;
        /** Problems that must fail closed even when the other dialect reads the text, marked with '!'. */
        private String hardProblem;

        Reading(String src, Dialect dialect, String database, int depth, List<Statement> out, List<String> shell,
                List<String> files) {
            this.files = files;
            this.src = src;
            this.dialect = dialect;
            this.database = database;
            this.depth = depth;
            this.out = out;
            this.shell = shell;
        }

        String run() {
            List<Token> tokens = new ArrayList<>();
            String problem = lex(tokens);
            // Statements before a lexing error may already have run (MySQL runs them one by one).
            int start = 0;
            for (int i = 0; i <= tokens.size(); i++) {
                if (i == tokens.size() || tokens.get(i).kind == Kind.SEMI || tokens.get(i).kind == Kind.META) {
                    if (i > start) {
                        statement(tokens.subList(start, i));
                    }
                    if (i < tokens.size() && tokens.get(i).kind == Kind.META) {
                        meta(tokens.get(i).text);
                    }
                    start = i + 1;
                }
            }
            if (hardProblem != null) {
                return "!" + hardProblem;
            }
            return problem;
        }

        private void meta(String command) {
            String[] parts = command.trim().split("\\s+", 2);
            String name = parts[0].toLowerCase(Locale.ROOT);
            String arg = parts.length > 1 ? parts[1].trim() : "";
            String first = arg.isEmpty() ? "" : arg.split("\\s+")[0].replace("'", "").replace("\"", "");
            // the client's own output files: \o FILE, \w FILE, \g FILE (and |command: a shell command)
            if (Set.of("\\o", "\\out", "\\w", "\\write", "\\g", "\\gx").contains(name) && !arg.isEmpty()) {
                if (arg.startsWith("|")) {
                    shell.add(arg.substring(1));
                } else {
                    files.add(first);
                }
            }
            if (name.equals("\\copy")) {
                // \copy ... to FILE (or to program 'cmd'): the client writes the file on its own host
                String[] words = arg.split("\\s+");
                for (int k = 0; k + 1 < words.length; k++) {
                    if (words[k].equalsIgnoreCase("to") && !words[k + 1].equalsIgnoreCase("program")
                            && !words[k + 1].equalsIgnoreCase("stdout") && !words[k + 1].equalsIgnoreCase("pstdout")) {
                        files.add(words[k + 1].replace("'", "").replace("\"", ""));
                    }
                }
            }
            switch (name) {
                case "\\c", "\\connect" -> database = arg.isEmpty() ? database
                        : Text.fold(arg.split("\\s+")[0].replace("\"", "").replace("'", ""));
                case "\\!" -> shell.add(arg);
                case "\\i", "\\ir", "\\include", "\\gexec" ->
                        hardProblem = "psql " + name + " runs or writes SQL that cannot be inspected";
                case "\\copy" -> {
                    if (arg.toLowerCase(Locale.ROOT).contains("program")) {
                        hardProblem = "psql \\copy runs a program";
                    }
                }
                default -> {
                }
            }
        }

        // ------------------------------------------------------------------ statements

        private void statement(List<Token> tokens) {
            for (int i = 0; i + 1 < tokens.size(); i++) {
                Token t = tokens.get(i);
                if (t.kind == Kind.WORD && FILE_WRITERS.contains(t.text) && tokens.get(i + 1).text.equals("(")) {
                    // lo_export(oid, '/path'), pg_file_write('/path', ...): every text argument may be the file
                    for (Token arg : tokens.subList(i + 2, end(tokens, i + 2))) {
                        if (arg.kind == Kind.STRING) {
                            files.add(arg.text);
                        }
                    }
                }
                if (t.kind == Kind.WORD && SQL_RUNNERS.contains(t.text) && tokens.get(i + 1).text.equals("(")) {
                    // dblink_exec('...', 'DROP DATABASE x'): functions that run SQL given as text
                    int close = end(tokens, i + 2);
                    for (Token arg : tokens.subList(i + 2, close)) {
                        if (arg.kind == Kind.STRING && mayMatter(arg.text)) {
                            nested(arg.text, t.text.toLowerCase(Locale.ROOT));
                        }
                    }
                }
            }
            for (int i = 0; i < tokens.size(); i++) {
                Token t = tokens.get(i);
                if (t.kind != Kind.WORD || !VERBS.contains(t.text)) {
                    continue;
                }
                if (i > 0) {
                    Token prev = tokens.get(i - 1);
                    boolean boundary = prev.kind == Kind.OP && prev.text.equals("(")
                            || prev.kind == Kind.WORD && BOUNDARY_WORDS.contains(prev.text);
                    if (!boundary) {
                        continue;
                    }
                }
                int end = end(tokens, i);
                subStatement(tokens.subList(i, end));
            }
        }

        /** A sub-statement ends at the parenthesis that encloses it, or with its statement. */
        private static int end(List<Token> tokens, int from) {
            int level = 0;
            for (int i = from; i < tokens.size(); i++) {
                Token t = tokens.get(i);
                if (t.kind == Kind.OP && t.text.equals("(")) {
                    level++;
                } else if (t.kind == Kind.OP && t.text.equals(")")) {
                    if (level == 0) {
                        return i;
                    }
                    level--;
                }
            }
            return tokens.size();
        }

        private void subStatement(List<Token> s) {
            String verb = s.get(0).text;
            switch (verb) {
                case "USE" -> {
                    if (s.size() > 1) {
                        database = Text.fold(s.get(1).text);
                    }
                    return;
                }
                case "SET" -> {
                    // SET @v = expr (MySQL user variables used by PREPARE ... FROM @v)
                    if (s.size() > 3 && s.get(1).text.startsWith("@") && (s.get(2).text.equals("=")
                            || s.get(2).text.equals(":="))) {
                        String value = evaluate(s.subList(3, s.size()));
                        variables.put(s.get(1).text, value);
                    }
                    return;
                }
                case "PREPARE" -> {
                    prepare(s);
                    return;
                }
                case "EXECUTE", "EXEC", "CALL" -> {
                    execute(s);
                    return;
                }
                case "DO" -> {
                    for (Token t : s) {
                        if (t.kind == Kind.STRING) {
                            nested(t.text, "DO block");
                        }
                    }
                    return;
                }
                case "COPY" -> {
                    for (int i = 1; i + 1 < s.size(); i++) {
                        if (s.get(i).isWord("PROGRAM") && s.get(i + 1).kind == Kind.STRING) {
                            shell.add(s.get(i + 1).text);
                        } else if (s.get(i).isWord("TO") && s.get(i + 1).kind == Kind.STRING) {
                            files.add(s.get(i + 1).text); // COPY ... TO '/path': the server writes the file
                        }
                    }
                }
                case "CREATE" -> {
                    // A function or procedure body is code that will run later: read it now.
                    if (contains(s, "FUNCTION") || contains(s, "PROCEDURE") || contains(s, "TRIGGER")
                            || contains(s, "RULE")) {
                        for (Token t : s) {
                            if (t.kind == Kind.STRING && t.text.length() > 8) {
                                nested(t.text, "function body");
                            }
                        }
                    }
                }
                case "DROP" -> {
                    if (s.size() < 2 || s.get(1).kind == Kind.OP) {
                        return;
                    }
                }
                default -> {
                }
            }
            List<String> renderings = new ArrayList<>(2);
            String rendering = render(s);
            switch (verb) {
                case "DELETE" -> rendering = deleteRendering(s);
                case "MERGE" -> {
                    // MERGE INTO t USING ... WHEN MATCHED THEN DELETE: which rows match is the join's, not a WHERE
                    for (int i = 1; i + 1 < s.size(); i++) {
                        if (s.get(i).isWord("THEN") && s.get(i + 1).isWord("DELETE")) {
                            int table = s.size() > 2 && s.get(1).isWord("INTO") ? 2 : 1;
                            renderings.add("DELETE FROM " + s.get(table).text + " WHERE 1=1");
                            break;
                        }
                    }
                }
                case "TRUNCATE" -> {
                    int table = 1;
                    while (table < s.size() && (s.get(table).isWord("TABLE") || s.get(table).isWord("ONLY"))) {
                        table++;
                    }
                    renderings.add(rendering);
                    rendering = "DELETE FROM " + (table < s.size() ? s.get(table).text : "?") + " WHERE 1=1";
                }
                case "DROP" -> {
                    if (s.get(1).isWord("SCHEMA")) {
                        renderings.add("DROP DATABASE" + rendering.substring("DROP SCHEMA".length()));
                    }
                }
                default -> {
                }
            }
            renderings.add(0, rendering);
            out.add(new Statement(verb, List.copyOf(renderings), database, DDL.contains(verb)));
        }

        private static boolean contains(List<Token> s, String word) {
            for (Token t : s) {
                if (t.isWord(word)) {
                    return true;
                }
            }
            return false;
        }

        private static String render(List<Token> s) {
            StringBuilder b = new StringBuilder();
            for (Token t : s) {
                if (!b.isEmpty()) {
                    b.append(' ');
                }
                b.append(t.render());
            }
            return b.toString();
        }

        private static String deleteRendering(List<Token> s) {
            int where = -1;
            int level = 0;
            for (int i = 1; i < s.size(); i++) {
                Token t = s.get(i);
                if (t.kind == Kind.OP && t.text.equals("(")) {
                    level++;
                } else if (t.kind == Kind.OP && t.text.equals(")")) {
                    level--;
                } else if (level == 0 && t.isWord("WHERE")) {
                    where = i;
                    break;
                }
            }
            if (where < 0) {
                return render(s) + " WHERE 1=1";
            }
            int condEnd = s.size();
            for (int i = where + 1; i < s.size(); i++) {
                if (s.get(i).isWord("RETURNING") || s.get(i).isWord("ORDER") || s.get(i).isWord("LIMIT")) {
                    condEnd = i;
                    break;
                }
            }
            List<Token> condition = selfJoined(s.subList(0, where), s.subList(where + 1, condEnd));
            if (Tautology.always(condition) || selfSubquery(target(s.subList(0, where)), condition)) {
                return render(s.subList(0, where)) + " WHERE 1=1";
            }
            return render(s);
        }

        /**
         * DELETE FROM t a USING t b WHERE a.id = b.id: both names are the one table, so the condition
         * compares each row with itself and holds for every row. Returns the condition with every alias of
         * the target table written as the table (a.id = b.id reads t.id = t.id), or unchanged.
         */
        /** Where the target table of DELETE [FROM] [ONLY] t is in the statement, or -1. */
        private static int targetAt(List<Token> head) {
            int at = 1;
            if (at < head.size() && head.get(at).isWord("FROM")) {
                at++;
            }
            if (at < head.size() && head.get(at).isWord("ONLY")) {
                at++;
            }
            return at < head.size() && head.get(at).kind == Kind.WORD ? at : -1;
        }

        private static String target(List<Token> head) {
            int at = targetAt(head);
            return at < 0 ? null : head.get(at).text;
        }

        /**
         * WHERE id IN (SELECT id FROM t) or id = ANY (SELECT id FROM t) on t itself, the subquery without a
         * condition of its own: every row's id is among them, so every row goes.
         */
        private static boolean selfSubquery(String table, List<Token> condition) {
            int op = -1;
            int open = -1;
            for (int i = 0; i + 1 < condition.size(); i++) {
                if (condition.get(i).isWord("IN") && condition.get(i + 1).text.equals("(")) {
                    op = i;
                    open = i + 1;
                    break;
                }
                if (condition.get(i).text.equals("=") && condition.get(i + 1).isWord("ANY") && i + 2 < condition.size()
                        && condition.get(i + 2).text.equals("(")) {
                    op = i;
                    open = i + 2;
                    break;
                }
            }
            if (table == null || op <= 0 || open + 1 >= condition.size() || !condition.get(open + 1).isWord("SELECT")
                    || Reading.end(condition, open + 1) != condition.size() - 1) {
                return false;
            }
            List<Token> inner = condition.subList(open + 2, condition.size() - 1);
            int from = -1;
            for (int i = 0; i < inner.size(); i++) {
                if (inner.get(i).isWord("FROM")) {
                    from = i;
                    break;
                }
            }
            if (from < 0 || from + 1 >= inner.size() || !inner.get(from + 1).text.equals(table)) {
                return false;
            }
            for (Token t : inner.subList(from + 2, inner.size())) {
                if (t.kind != Kind.WORD || t.isWord("WHERE") || t.isWord("LIMIT") || t.isWord("JOIN")) {
                    return false; // its own condition, a limit, a join: not every row
                }
            }
            return unqualified(condition.subList(0, op)).equals(unqualified(inner.subList(0, from)));
        }

        /** The column without its table or alias (u.id is id). */
        private static List<Token> unqualified(List<Token> column) {
            return column.size() == 3 && column.get(1).text.equals(".") ? column.subList(2, 3) : column;
        }

        private static List<Token> selfJoined(List<Token> head, List<Token> condition) {
            int at = targetAt(head);
            if (at < 0) {
                return condition;
            }
            String table = head.get(at).text;
            Set<String> names = new HashSet<>(Set.of(table));
            boolean self = false;
            boolean using = false;
            for (int i = at + 1; i < head.size(); i++) {
                Token t = head.get(i);
                if (t.isWord("USING")) {
                    using = true;
                } else if (t.kind == Kind.WORD && !t.isWord("AS") && !t.isWord("ONLY")) {
                    Token prev = head.get(i - 1);
                    boolean alias = prev.kind == Kind.WORD && !prev.isWord("USING") && !prev.isWord("ONLY")
                            || prev.isWord("AS");
                    if (alias) {
                        String of = prev.isWord("AS") ? head.get(i - 2).text : prev.text;
                        if (names.contains(of)) {
                            names.add(t.text);
                        }
                    } else if (using && t.text.equals(table)) {
                        self = true;
                    }
                }
            }
            if (!self) {
                return condition;
            }
            List<Token> out = new ArrayList<>(condition.size());
            for (int i = 0; i < condition.size(); i++) {
                Token t = condition.get(i);
                boolean qualifier = t.kind == Kind.WORD && names.contains(t.text) && i + 1 < condition.size()
                        && condition.get(i + 1).text.equals(".");
                out.add(qualifier ? new Token(Kind.WORD, table) : t);
            }
            return out;
        }

        private void prepare(List<Token> s) {
            // PREPARE name FROM expr (MySQL) | PREPARE name [(types)] AS statement (PostgreSQL)
            if (s.size() < 3) {
                return;
            }
            String name = s.get(1).text;
            for (int i = 2; i < s.size(); i++) {
                if (s.get(i).isWord("FROM")) {
                    String sql = evaluate(s.subList(i + 1, s.size()));
                    if (sql == null) {
                        hardProblem = "PREPARE from SQL text that cannot be evaluated";
                    } else {
                        prepared.put(name, sql);
                        nested(sql, "prepared statement");
                    }
                    return;
                }
                if (s.get(i).isWord("AS")) {
                    prepared.put(name, "");
                    statement(s.subList(i + 1, s.size()));
                    return;
                }
            }
        }

        private void execute(List<Token> s) {
            if (s.size() < 2) {
                return;
            }
            int from = 1;
            if (s.get(1).isWord("IMMEDIATE")) {
                from = 2;
            }
            if (from < s.size() && s.get(from).kind == Kind.WORD && prepared.containsKey(s.get(from).text)) {
                return; // already read at PREPARE
            }
            if (s.get(0).text.equals("CALL")) {
                return;
            }
            if (from < s.size() && s.get(from).isWord("SP_EXECUTESQL")) {
                from++;
            }
            if (from < s.size() && s.get(from).kind == Kind.WORD && !s.get(from).text.startsWith("@")
                    && (from + 1 >= s.size() || !s.get(from + 1).text.equals("("))) {
                // EXECUTE name [(args)]: a prepared statement made elsewhere, or a stored procedure.
                return;
            }
            int end = s.size();
            for (int i = from; i < s.size(); i++) {
                if (s.get(i).isWord("USING") || s.get(i).isWord("INTO") || s.get(i).text.equals(",")
                        && s.get(0).text.equals("EXEC")) {
                    end = i;
                    break;
                }
            }
            String sql = evaluate(s.subList(from, end));
            if (sql == null) {
                hardProblem = "dynamic SQL that cannot be evaluated";
            } else {
                nested(sql, "dynamic SQL");
            }
        }

        private void nested(String sql, String what) {
            if (depth >= MAX_DEPTH) {
                hardProblem = what + " nested too deeply";
                return;
            }
            Analysis inner = analyze(Text.decode(sql), database, depth + 1);
            out.addAll(inner.statements());
            shell.addAll(inner.shellCommands());
            files.addAll(inner.filesWritten());
            if (inner.problem() != null) {
                hardProblem = what + ": " + inner.problem();
            }
        }

        /** The value of a constant string expression, or null when it depends on data. */
        String evaluate(List<Token> e) {
            StringBuilder b = new StringBuilder();
            int[] pos = {0};
            if (!term(e, pos, b)) {
                return null;
            }
            while (pos[0] < e.size()) {
                Token op = e.get(pos[0]);
                if (op.kind == Kind.OP && (op.text.equals("||") || op.text.equals("+"))) {
                    pos[0]++;
                    if (!term(e, pos, b)) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            return b.toString();
        }

        private boolean term(List<Token> e, int[] pos, StringBuilder b) {
            if (pos[0] >= e.size()) {
                return false;
            }
            Token t = e.get(pos[0]++);
            switch (t.kind) {
                case STRING -> {
                    b.append(t.text);
                    return true;
                }
                case NUMBER -> {
                    if (t.text.startsWith("0X") || t.text.startsWith("0x")) {
                        b.append(hexString(t.text.substring(2)));
                    } else {
                        b.append(t.text);
                    }
                    return true;
                }
                case OP -> {
                    if (t.text.equals("(")) {
                        List<String> args = arguments(e, pos);
                        if (args == null || args.size() != 1) {
                            return false;
                        }
                        b.append(args.get(0));
                        return true;
                    }
                    return false;
                }
                case WORD -> {
                    if (t.text.startsWith("@")) {
                        String value = variables.get(t.text);
                        if (value == null) {
                            return false;
                        }
                        b.append(value);
                        return true;
                    }
                    if (pos[0] < e.size() && e.get(pos[0]).text.equals("(")) {
                        pos[0]++;
                        List<String> args = arguments(e, pos);
                        if (args == null) {
                            return false;
                        }
                        String value = function(t.text, args);
                        if (value == null) {
                            return false;
                        }
                        b.append(value);
                        // casts such as ::text
                        while (pos[0] + 1 < e.size() && e.get(pos[0]).text.equals("::")) {
                            pos[0] += 2;
                        }
                        return true;
                    }
                    return false;
                }
                default -> {
                    return false;
                }
            }
        }

        /** Comma-separated constant arguments up to the closing parenthesis. */
        private List<String> arguments(List<Token> e, int[] pos) {
            List<String> args = new ArrayList<>();
            int start = pos[0];
            int level = 0;
            for (int i = start; i < e.size(); i++) {
                Token t = e.get(i);
                if (t.text.equals("(") && t.kind == Kind.OP) {
                    level++;
                } else if (t.text.equals(")") && t.kind == Kind.OP) {
                    if (level == 0) {
                        if (i > start) {
                            String v = evaluateArgument(e.subList(start, i));
                            if (v == null) {
                                return null;
                            }
                            args.add(v);
                        }
                        pos[0] = i + 1;
                        return args;
                    }
                    level--;
                } else if (level == 0 && t.kind == Kind.OP && t.text.equals(",")) {
                    String v = evaluateArgument(e.subList(start, i));
                    if (v == null) {
                        return null;
                    }
                    args.add(v);
                    start = i + 1;
                }
            }
            return null;
        }

        private String evaluateArgument(List<Token> e) {
            // CAST(x AS type) and x::type keep the value of x
            int as = -1;
            for (int i = 0; i < e.size(); i++) {
                if (e.get(i).isWord("AS") || e.get(i).text.equals("::")) {
                    as = i;
                    break;
                }
            }
            return evaluate(as > 0 ? e.subList(0, as) : e);
        }

        private static String function(String name, List<String> args) {
            try {
                return switch (name) {
                    case "CONCAT" -> String.join("", args);
                    case "CONCAT_WS" -> args.isEmpty() ? "" : String.join(args.get(0), args.subList(1, args.size()));
                    case "CHR", "CHAR", "NCHAR" -> {
                        StringBuilder b = new StringBuilder();
                        for (String a : args) {
                            b.appendCodePoint(Integer.parseInt(a.trim()));
                        }
                        yield b.toString();
                    }
                    case "LOWER", "LCASE" -> args.get(0).toLowerCase(Locale.ROOT);
                    case "UPPER", "UCASE" -> args.get(0).toUpperCase(Locale.ROOT);
                    case "REVERSE" -> new StringBuilder(args.get(0)).reverse().toString();
                    case "REPLACE" -> args.get(0).replace(args.get(1), args.get(2));
                    case "UNHEX" -> hexString(args.get(0));
                    case "FROM_BASE64" -> Decoders.base64(args.get(0));
                    case "DECODE" -> args.size() == 2 && args.get(1).equalsIgnoreCase("base64")
                            ? Decoders.base64(args.get(0))
                            : args.size() == 2 && args.get(1).equalsIgnoreCase("hex") ? hexString(args.get(0)) : null;
                    case "QUOTE_LITERAL", "QUOTE_NULLABLE" -> "'" + args.get(0).replace("'", "''") + "'";
                    case "CONVERT_FROM", "QUOTE_IDENT", "QUOTENAME", "TRIM", "FORMAT" ->
                            name.equals("FORMAT") ? format(args) : args.get(0);
                    case "REPEAT" -> repeat(args.get(0), Integer.parseInt(args.get(1).trim()));
                    case "SUBSTRING", "SUBSTR" -> {
                        String s = args.get(0);
                        int from = Integer.parseInt(args.get(1).trim()) - 1;
                        int len = args.size() > 2 ? Integer.parseInt(args.get(2).trim()) : s.length() - from;
                        yield s.substring(from, Math.min(s.length(), from + len));
                    }
                    default -> null;
                };
            } catch (RuntimeException e) {
                return null;
            }
        }

        private static String format(List<String> args) {
            String f = args.get(0);
            StringBuilder b = new StringBuilder();
            int next = 1;
            for (int i = 0; i < f.length(); i++) {
                char c = f.charAt(i);
                if (c == '%' && i + 1 < f.length() && "sIL".indexOf(f.charAt(i + 1)) >= 0) {
                    if (next >= args.size()) {
                        return null;
                    }
                    b.append(args.get(next++));
                    i++;
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }

        private static String hexString(String hex) {
            return Decoders.hex(hex);
        }

        // ------------------------------------------------------------------ lexer

        private String lex(List<Token> tokens) {
            String s = src;
            int n = s.length();
            int i = 0;
            int openExecutableComments = 0;
            boolean statementStart = true;
            while (i < n) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                    continue;
                }
                if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-'
                        && (dialect == Dialect.POSTGRES || i + 2 >= n || Character.isWhitespace(s.charAt(i + 2)))) {
                    i = lineEnd(s, i);
                    continue;
                }
                if (c == '#' && dialect == Dialect.MYSQL) {
                    i = lineEnd(s, i);
                    continue;
                }
                if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                    if (dialect == Dialect.MYSQL && i + 2 < n && s.charAt(i + 2) == '!') {
                        i += 3;
                        while (i < n && Character.isDigit(s.charAt(i))) {
                            i++;
                        }
                        openExecutableComments++;
                        continue;
                    }
                    int close = commentEnd(s, i);
                    if (close < 0) {
                        return "unterminated /* comment";
                    }
                    i = close;
                    continue;
                }
                if (c == '*' && i + 1 < n && s.charAt(i + 1) == '/' && openExecutableComments > 0) {
                    openExecutableComments--;
                    i += 2;
                    continue;
                }
                // psql reads a backslash command anywhere outside a string: select 1 \g FILE sends the query
                // and writes its output to FILE
                if (c == '\\' && dialect == Dialect.POSTGRES && i + 1 < n
                        && (Character.isLetter(s.charAt(i + 1)) || s.charAt(i + 1) == '!')) {
                    int end = lineEnd(s, i);
                    tokens.add(new Token(Kind.META, s.substring(i, end)));
                    i = end;
                    continue;
                }
                statementStart = false;
                if (c == ';') {
                    tokens.add(new Token(Kind.SEMI, ";"));
                    statementStart = true;
                    i++;
                    continue;
                }
                if (c == '\'') {
                    StringBuilder b = new StringBuilder();
                    i = quoted(s, i + 1, '\'', dialect == Dialect.MYSQL, b);
                    if (i < 0) {
                        return "unterminated string";
                    }
                    tokens.add(new Token(Kind.STRING, b.toString()));
                    continue;
                }
                if ((c == 'U' || c == 'u') && i + 2 < n && s.charAt(i + 1) == '&' && s.charAt(i + 2) == '\''
                        && dialect == Dialect.POSTGRES) {
                    // U&'\0063onstitution': a string with Unicode escapes (\XXXX, \+XXXXXX)
                    StringBuilder b = new StringBuilder();
                    i = quoted(s, i + 3, '\'', false, b);
                    if (i < 0) {
                        return "unterminated string";
                    }
                    tokens.add(new Token(Kind.STRING, unicodeEscapes(b.toString())));
                    continue;
                }
                if ((c == 'E' || c == 'e') && i + 1 < n && s.charAt(i + 1) == '\'' && dialect == Dialect.POSTGRES) {
                    StringBuilder b = new StringBuilder();
                    i = quoted(s, i + 2, '\'', true, b);
                    if (i < 0) {
                        return "unterminated string";
                    }
                    tokens.add(new Token(Kind.STRING, b.toString()));
                    continue;
                }
                if ((c == 'X' || c == 'x') && i + 1 < n && s.charAt(i + 1) == '\'') {
                    StringBuilder b = new StringBuilder();
                    i = quoted(s, i + 2, '\'', false, b);
                    if (i < 0) {
                        return "unterminated string";
                    }
                    String value = hexString(b.toString());
                    tokens.add(new Token(Kind.STRING, value == null ? b.toString() : value));
                    continue;
                }
                if ((c == 'N' || c == 'n' || c == 'B' || c == 'b') && i + 1 < n && s.charAt(i + 1) == '\'') {
                    i++;
                    continue;
                }
                if (c == '"') {
                    StringBuilder b = new StringBuilder();
                    i = quoted(s, i + 1, '"', dialect == Dialect.MYSQL, b);
                    if (i < 0) {
                        return "unterminated quoted name";
                    }
                    tokens.add(dialect == Dialect.MYSQL ? new Token(Kind.STRING, b.toString())
                            : new Token(Kind.WORD, b.toString().toUpperCase(Locale.ROOT)));
                    continue;
                }
                if (c == '`' || (c == '[' && dialect == Dialect.MYSQL)) {
                    char close = c == '`' ? '`' : ']';
                    int end = s.indexOf(close, i + 1);
                    if (end < 0) {
                        return "unterminated quoted name";
                    }
                    tokens.add(new Token(Kind.WORD, s.substring(i + 1, end).toUpperCase(Locale.ROOT)));
                    i = end + 1;
                    continue;
                }
                if (c == '$' && dialect == Dialect.POSTGRES) {
                    int tagEnd = i + 1;
                    while (tagEnd < n && (Character.isLetterOrDigit(s.charAt(tagEnd)) || s.charAt(tagEnd) == '_')) {
                        tagEnd++;
                    }
                    if (tagEnd < n && s.charAt(tagEnd) == '$' && (tagEnd == i + 1 || !Character.isDigit(s.charAt(i + 1)))) {
                        String tag = s.substring(i, tagEnd + 1);
                        int close = s.indexOf(tag, tagEnd + 1);
                        if (close < 0) {
                            return "unterminated " + tag + " string";
                        }
                        tokens.add(new Token(Kind.STRING, s.substring(tagEnd + 1, close)));
                        i = close + tag.length();
                        continue;
                    }
                    // $1 parameters
                    int j = i + 1;
                    while (j < n && Character.isDigit(s.charAt(j))) {
                        j++;
                    }
                    tokens.add(new Token(Kind.WORD, s.substring(i, Math.max(j, i + 1))));
                    i = Math.max(j, i + 1);
                    continue;
                }
                if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                    int j = i + 1;
                    if (c == '0' && j < n && (s.charAt(j) == 'x' || s.charAt(j) == 'X')) {
                        j++;
                        while (j < n && Text.hex(s.charAt(j)) >= 0) {
                            j++;
                        }
                    } else {
                        while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.')) {
                            j++;
                        }
                    }
                    tokens.add(new Token(Kind.NUMBER, s.substring(i, j)));
                    i = j;
                    continue;
                }
                if (Character.isLetter(c) || c == '_' || c == '@' || (c == '$' && dialect == Dialect.MYSQL)) {
                    int j = i + 1;
                    while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == '$'
                            || s.charAt(j) == '@')) {
                        j++;
                    }
                    tokens.add(new Token(Kind.WORD, s.substring(i, j).toUpperCase(Locale.ROOT)));
                    i = j;
                    continue;
                }
                if (i + 1 < n) {
                    String two = s.substring(i, i + 2);
                    if (two.equals("||") || two.equals("<=") || two.equals(">=") || two.equals("<>")
                            || two.equals("!=") || two.equals("::") || two.equals(":=") || two.equals("==")) {
                        tokens.add(new Token(Kind.OP, two));
                        i += 2;
                        continue;
                    }
                }
                tokens.add(new Token(Kind.OP, String.valueOf(c)));
                i++;
            }
            return null;
        }

        private static int lineEnd(String s, int i) {
            int nl = s.indexOf('\n', i);
            return nl < 0 ? s.length() : nl + 1;
        }

        private int commentEnd(String s, int start) {
            int level = 0;
            int i = start;
            while (i + 1 < s.length()) {
                if (s.charAt(i) == '/' && s.charAt(i + 1) == '*') {
                    level++;
                    i += 2;
                    if (dialect == Dialect.MYSQL && level > 1) {
                        level = 1; // MySQL comments do not nest
                    }
                } else if (s.charAt(i) == '*' && s.charAt(i + 1) == '/') {
                    level--;
                    i += 2;
                    if (level == 0) {
                        return i;
                    }
                } else {
                    i++;
                }
            }
            return -1;
        }

        /** Reads a quoted string whose opening quote is before {@code i}; returns the index after it. */
        private static int quoted(String s, int i, char quote, boolean backslashEscapes, StringBuilder b) {
            int n = s.length();
            while (i < n) {
                char c = s.charAt(i);
                if (c == quote) {
                    if (i + 1 < n && s.charAt(i + 1) == quote) {
                        b.append(quote);
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                if (c == '\\' && backslashEscapes && i + 1 < n) {
                    char e = s.charAt(i + 1);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case '0' -> b.append('\0');
                        default -> b.append(e);
                    }
                    i += 2;
                    continue;
                }
                b.append(c);
                i++;
            }
            return -1;
        }
    }

    /** Whether a WHERE condition holds for every row, read conservatively (fail closed). */
    public static final class Tautology {
        private Tautology() {
        }

        static boolean always(List<Token> condition) {
            int start = 0;
            int level = 0;
            for (int i = 0; i <= condition.size(); i++) {
                if (i < condition.size()) {
                    Token t = condition.get(i);
                    if (t.kind == Kind.OP && t.text.equals("(")) {
                        level++;
                    } else if (t.kind == Kind.OP && t.text.equals(")")) {
                        level--;
                    }
                    boolean or = level == 0 && (t.isWord("OR") || t.kind == Kind.OP && t.text.equals("||"));
                    if (!or) {
                        continue;
                    }
                }
                if (disjunctAlways(strip(condition.subList(start, i)))) {
                    return true;
                }
                start = i + 1;
            }
            return false;
        }

        private static List<Token> strip(List<Token> d) {
            while (d.size() >= 2 && d.get(0).text.equals("(") && d.get(d.size() - 1).text.equals(")")
                    && Reading.end(d, 1) == d.size() - 1) {
                d = d.subList(1, d.size() - 1);
            }
            return d;
        }

        private static boolean disjunctAlways(List<Token> d) {
            if (d.isEmpty()) {
                return false;
            }
            if (d.size() == 1 && d.get(0).kind == Kind.OP && d.get(0).text.equals("*")) {
                return true;
            }
            boolean identifiers = false;
            for (Token t : d) {
                if (t.kind == Kind.WORD && !NON_IDENTIFIERS.contains(t.text)) {
                    identifiers = true;
                    break;
                }
            }
            if (!identifiers) {
                // A constant condition: either every row or none. Only a visibly false one is safe.
                return !constantFalse(d);
            }
            // x = x, x >= x, x LIKE x, x LIKE '%'
            int op = -1;
            for (int i = 0; i < d.size(); i++) {
                Token t = d.get(i);
                if (t.kind == Kind.OP && (t.text.equals("=") || t.text.equals(">=") || t.text.equals("<=")
                        || t.text.equals("=="))
                        || t.isWord("LIKE") || t.isWord("ILIKE")) {
                    op = i;
                    break;
                }
            }
            if (op > 0) {
                List<Token> left = d.subList(0, op);
                List<Token> right = d.subList(op + 1, d.size());
                if (left.equals(right)) {
                    return true;
                }
                if ((d.get(op).isWord("LIKE") || d.get(op).isWord("ILIKE")) && right.size() == 1
                        && right.get(0).kind == Kind.STRING && right.get(0).text.matches("%+")) {
                    return true;
                }
            }
            if (d.size() >= 4 && d.get(d.size() - 1).isWord("NULL") && d.get(d.size() - 2).isWord("NOT")
                    && d.get(d.size() - 3).isWord("IS") && d.size() == 4) {
                return false;
            }
            return false;
        }

        private static boolean constantFalse(List<Token> d) {
            if (d.size() == 1) {
                Token t = d.get(0);
                return t.isWord("FALSE") || t.isWord("NULL") || t.kind == Kind.NUMBER && t.text.matches("0+(\\.0+)?");
            }
            if (d.size() == 3 && d.get(1).kind == Kind.OP) {
                String a = d.get(0).text;
                String b = d.get(2).text;
                return switch (d.get(1).text) {
                    case "=", "==" -> !a.equals(b);
                    case "<>", "!=" -> a.equals(b);
                    default -> false;
                };
            }
            if (d.size() == 2 && d.get(0).isWord("NOT")) {
                return d.get(1).isWord("TRUE") || d.get(1).kind == Kind.NUMBER && !d.get(1).text.matches("0+");
            }
            return false;
        }
    }

    /** repeat() as SQL would build it, unless the result is larger than any input a check reads. */
    private static String repeat(String text, int count) {
        long chars = (long) text.length() * Math.max(count, 0);
        if (chars > Budget.MAX_INPUT_CHARS) {
            throw new Budget.Exceeded("repeat() would build " + chars + " characters, more than "
                    + Budget.MAX_INPUT_CHARS);
        }
        return text.repeat(Math.max(count, 0));
    }
}
