package dev.hydra.constitution.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.hydra.constitution.rules.text.Budget;

/**
 * Tool calls built to exhaust a checker: brace and glob bombs, deep nesting of arguments, subshells,
 * command substitutions and SQL, and values of 10 MB. Each must get a verdict (NEEDS_APPROVAL "too
 * complex to judge") within a bounded time and heap. One list, shared by the constitution's tests,
 * the ops benchmark that measures them and the chaos suite's hostile feed.
 */
public final class PathologicalInputs {

    /** One input: a name for reports, the {@code server.tool} and its arguments. */
    public record Input(String name, String tool, Map<String, Object> arguments) {
        @Override
        public String toString() {
            return name;
        }
    }

    private PathologicalInputs() {
    }

    public static List<Input> all() {
        List<Input> out = new ArrayList<>();
        // six groups of twenty alternatives, 500 bytes: 64 million words when expanded eagerly
        StringBuilder braces = new StringBuilder("echo ");
        for (int g = 0; g < 6; g++) {
            braces.append('{');
            for (int a = 0; a < 20; a++) {
                braces.append(a == 0 ? "" : ",").append((char) ('a' + a)).append(g);
            }
            braces.append('}');
        }
        out.add(shell("brace bomb (six groups of twenty)", braces.toString()));
        out.add(shell("brace bomb (forty groups of two)", "touch " + "{a,b}".repeat(40)));
        out.add(shell("glob of 30,000 stars", "rm -rf /" + "*".repeat(30_000) + "/constitution.yaml"));
        out.add(call("glob of 30,000 stars in a file tool", "filesystem-mcp.delete_file",
                Map.of("path", "/" + "*/".repeat(15_000) + "x")));
        out.add(shell("subshells nested 10,000 deep", "(".repeat(10_000) + "ls" + ")".repeat(10_000)));
        out.add(shell("command substitutions nested 2,000 deep", "echo " + "$(".repeat(2_000) + "ls"
                + ")".repeat(2_000)));
        out.add(shell("eval nested 5,000 deep", "eval ".repeat(5_000) + "ls"));
        out.add(shell("10,000 piped stages", "cat x" + " | cat".repeat(10_000)));
        out.add(call("SQL parentheses nested 10,000 deep", "postgres-mcp.execute_sql",
                Map.of("sql", "DELETE FROM t WHERE id = " + "(".repeat(10_000) + "1" + ")".repeat(10_000))));
        out.add(call("SQL with 100,000 statements", "postgres-mcp.execute_sql",
                Map.of("sql", "DELETE FROM t WHERE id = 1;".repeat(100_000))));
        // 900: Jackson refuses to write or read a document nested deeper than 1,000
        out.add(call("arguments nested 900 deep", "filesystem-mcp.write_file", nested(900)));
        out.add(call("YAML nested 5,000 deep in a file", "filesystem-mcp.write_file",
                Map.of("path", "/workspace/config.yaml", "content", nestedYaml(5_000))));
        out.add(call("JSON nested 5,000 deep in a webhook", "n8n.trigger_webhook",
                Map.of("data", "[".repeat(5_000) + "\"password=hunter2\"" + "]".repeat(5_000))));
        // found by the third round: each once made a check loop, recurse or rescan
        out.add(shell("brace groups nested 10,000 deep", "echo " + "{a,".repeat(10_000) + "b" + "}".repeat(10_000)));
        out.add(shell("glob of 4,000 stars under the wildcard budget", "rm -rf /" + "*/".repeat(2_000) + "x"));
        out.add(shell("arithmetic nested 100,000 deep", "((" + "(".repeat(100_000) + "1" + ")".repeat(100_000) + "))"));
        out.add(shell("50,000 unclosed arithmetic openings", "((".repeat(50_000) + "ls"));
        out.add(shell("100,000 stray closing parentheses", "ls" + ")".repeat(100_000)));
        out.add(call("SQL repeat() of a hundred million", "postgres-mcp.execute_sql",
                Map.of("sql", "DO $$ BEGIN EXECUTE repeat('DELETE FROM t;', 100000000); END $$")));
        out.add(call("SQL concatenation of 100,000 strings", "postgres-mcp.execute_sql",
                Map.of("sql", "EXECUTE " + "' ' || ".repeat(100_000) + "'DROP TABLE t'")));
        int mib = Budget.MAX_INPUT_CHARS - 64;
        out.add(shell("1 MiB of one-letter words", "echo " + "a ".repeat(mib / 2)));
        out.add(shell("1 MiB of percent escapes", "echo " + "%41".repeat(mib / 3 - 10) + " > /etc/hosts"));
        out.add(call("1 MiB of settings in a file", "filesystem-mcp.write_file",
                Map.of("path", "/workspace/.env", "content", "AUTH_KEY_X=1\n".repeat(mib / 13))));
        out.add(call("1 MiB of inline code", "shell.run", Map.of("command", "python3 -c \""
                + "os.system('ls');".repeat(mib / 17) + "\"")));
        String tenMb = "a".repeat(10 << 20);
        out.add(call("10 MB file content", "filesystem-mcp.write_file",
                Map.of("path", "/workspace/big.txt", "content", tenMb)));
        out.add(shell("10 MB shell command", "echo " + tenMb));
        out.add(call("10 MB SQL", "postgres-mcp.execute_sql", Map.of("sql", "SELECT '" + tenMb + "'")));
        return out;
    }

    private static Input shell(String name, String command) {
        return call(name, "shell.run", Map.of("command", command));
    }

    private static Input call(String name, String tool, Map<String, Object> arguments) {
        return new Input(name, tool, arguments);
    }

    private static Map<String, Object> nested(int depth) {
        Map<String, Object> inner = new LinkedHashMap<>(Map.of("path", "/workspace/x", "content", "DISABLE_AUTH=true"));
        for (int i = 0; i < depth; i++) {
            inner = new LinkedHashMap<>(Map.of("a", inner));
        }
        inner.put("path", "/workspace/x");
        inner.put("content", "x");
        return inner;
    }

    private static String nestedYaml(int depth) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            b.append(" ".repeat(Math.min(i, 200))).append("k").append(i).append(":\n");
        }
        return b.append(" ".repeat(200)).append("auth_enabled: false\n").toString();
    }
}
