package dev.hydra.constitution.rules;

import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a tool call or a task into {@link Facts}: each canonical tool's watched arguments are read
 * with the right reader (SQL, shell, path), and a task's watched action fields (action plus sql,
 * command, path, content, branch, service, container, ...) the same way. Free text (descriptions,
 * research questions) is never read as an action.
 */
final class Extractor {

    static final Set<String> KNOWN_TOOLS = Set.of("filesystem-mcp.read_file", "filesystem-mcp.write_file",
            "filesystem-mcp.delete_file", "filesystem-mcp.move_file", "filesystem-mcp.list_directory",
            "git-mcp.commit", "git-mcp.push", "git-mcp.checkout", "git-mcp.status", "git-mcp.diff", "git-mcp.log",
            "github-mcp.create_pull_request", "docker-mcp.restart_container", "docker-mcp.stop_container",
            "docker-mcp.remove_container", "docker-mcp.exec", "docker-mcp.list_containers", "docker-mcp.logs",
            "postgres-mcp.execute_sql", "qdrant-mcp.delete_collection", "qdrant-mcp.upsert", "qdrant-mcp.search",
            "shell.run", "n8n.trigger_webhook");

    private static final Set<String> SECRET_FILES = Set.of(".env", ".env.production", ".env.prod", ".env.live",
            ".env.staging", ".env.development", ".env.dev", ".env.test", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
            "credentials", "credentials.json", ".pgpass", ".netrc", ".htpasswd", "secrets.yaml", "secrets.yml",
            "secrets.json", ".git-credentials", "service-account.json", "kubeconfig", ".npmrc", ".pypirc");

    private static final Set<String> INLINE_MENTIONS = Set.of("iptables", "ip6tables", "nft ", "nftables", "ufw",
            "firewall", "/etc/network", "constitution", "drop ", "truncate", "delete from", "delete_collection",
            "disable_auth", "no_password", "systemctl", "docker", "git push", "rm -rf", "rmtree", "os.remove",
            "unlink", "/etc/nixos", "subprocess", "os.system", "exec(", "eval(", "child_process", "system(");

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
    Extractor(String workspace, Set<String> configWords) {
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

    // ------------------------------------------------------------------ tool calls

    Facts of(ToolCall call) {
        Facts f = new Facts();
        String tool = Text.fold(Text.decode(call.server()).strip() + "." + Text.decode(call.tool()).strip());
        toolCall(f, tool, call.arguments(), tool);
        return f;
    }

    private void toolCall(Facts f, String tool, Map<String, Object> args, String via) {
        switch (tool) {
            case "filesystem-mcp.read_file", "filesystem-mcp.list_directory", "git-mcp.status", "git-mcp.diff",
                 "git-mcp.log", "docker-mcp.restart_container", "docker-mcp.list_containers", "docker-mcp.logs",
                 "qdrant-mcp.upsert", "qdrant-mcp.search", "git-mcp.checkout" -> f.ops.add(new Facts.Op(tool, "", List.of(), via));
            case "github-mcp.create_pull_request", "n8n.trigger_webhook" -> {
                // published text: added below with every github-mcp and n8n call
            }
            case "filesystem-mcp.write_file" -> {
                String path = text(args, "path", "file", "filename");
                write(f, path, textOrNull(args, "content", "text", "data"), via, null);
            }
            case "filesystem-mcp.delete_file" -> delete(f, text(args, "path", "file"), via, null);
            case "filesystem-mcp.move_file" -> {
                String source = text(args, "source", "from", "src");
                delete(f, source, via, null);
                write(f, text(args, "destination", "to", "dest", "target"), secretMarker(source), via, null);
            }
            case "git-mcp.commit" -> commit(f, args, via);
            case "git-mcp.push" -> {
                String branch = text(args, "branch", "ref", "refspec");
                f.pushes.add(new Facts.Push(text(args, "remote"), branch.isBlank() ? Facts.Push.UNKNOWN
                        : refDestination(Text.fold(Text.decode(branch)), Facts.Push.UNKNOWN), via));
            }
            case "docker-mcp.stop_container" -> f.stops.add(new Facts.Named(name(args, "container", "name", "service"), via));
            case "docker-mcp.remove_container" -> {
                String name = name(args, "container", "name", "service");
                f.removals.add(new Facts.Named(name, via));
                f.stops.add(new Facts.Named(name, via));
            }
            case "docker-mcp.exec" -> {
                Object command = args.get("command");
                shell(f, commandText(command), via + " in container " + name(args, "container"));
            }
            case "postgres-mcp.execute_sql" -> sql(f, text(args, "sql", "query", "statement"),
                    database(text(args, "database", "db", "dbname")), via);
            case "qdrant-mcp.delete_collection" -> f.ops.add(new Facts.Op(tool, text(args, "collection", "name"), List.of(), via));
            case "shell.run" -> {
                sandbox(f, args, via);
                shell(f, commandText(args.get("command")), via);
            }
            default -> {
                f.unknownTool = tool;
                f.ops.add(new Facts.Op(tool, argumentText(args), List.of(), via));
                generic(f, args, via);
                return;
            }
        }
        if (tool.startsWith("github-mcp.") || tool.startsWith("n8n.")) {
            f.ops.add(new Facts.Op(tool, argumentText(args), List.of(), via));
        }
    }

    /** Fields of an unknown tool that name actions are read anyway, so DENY rules still see them. */
    private void generic(Facts f, Map<String, Object> args, String via) {
        String sql = text(args, "sql");
        if (!sql.isEmpty()) {
            sql(f, sql, database(text(args, "database", "db")), via);
        }
        Object command = args.get("command") != null ? args.get("command") : args.get("cmd");
        if (command != null) {
            shell(f, commandText(command), via);
        }
        String path = text(args, "path", "file", "destination");
        if (!path.isEmpty() && args.containsKey("content")) {
            write(f, path, textOrNull(args, "content"), via, null);
        }
    }

    private static void sandbox(Facts f, Map<String, Object> args, String via) {
        for (String key : List.of("sandbox", "sandboxed", "require_sandbox", "network_disabled")) {
            if (args.containsKey(key) && falsy(String.valueOf(args.get(key)))) {
                f.sandboxEscapes.add(new Facts.Named(key + "=" + args.get(key), via));
            }
        }
        for (String key : List.of("network", "network_access", "unsandboxed", "privileged", "host_network")) {
            if (args.containsKey(key) && !falsy(String.valueOf(args.get(key)))) {
                f.sandboxEscapes.add(new Facts.Named(key + "=" + args.get(key), via));
            }
        }
    }

    private void commit(Facts f, Map<String, Object> args, String via) {
        List<String> files = new ArrayList<>();
        StringBuilder text = new StringBuilder(text(args, "message", "msg"));
        Object fileArg = args.get("files");
        if (fileArg instanceof Collection<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> m) {
                    files.add(String.valueOf(m.containsKey("path") ? m.get("path") : m.get("name")));
                    if (m.get("content") != null) {
                        text.append('\n').append(m.get("content"));
                    }
                } else if (item != null) {
                    files.add(String.valueOf(item));
                }
            }
        } else if (fileArg instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                files.add(String.valueOf(e.getKey()));
                text.append('\n').append(e.getValue());
            }
        } else if (fileArg != null) {
            files.add(String.valueOf(fileArg));
        }
        if (args.get("content") != null) {
            text.append('\n').append(args.get("content"));
        }
        List<String> canonical = new ArrayList<>(files.size());
        for (String file : files) {
            canonical.add(PathGlob.canonical(file, workspace));
        }
        f.commits.add(new Facts.Commit(canonical, Text.decode(text.toString()), via));
        for (String file : canonical) {
            f.writes.add(new Facts.Write(file, null, via + " (commit)", false));
        }
    }

    // ------------------------------------------------------------------ tasks

    Facts of(Task task) {
        Facts f = new Facts();
        Map<String, Object> t = task.task();
        String action = Text.fold(Text.decode(task.action())).strip().replaceAll("[^a-z0-9]+", "_");
        String via = "task action " + action;
        if (t.get("tool") instanceof String tool && t.get("arguments") instanceof Map<?, ?> arguments) {
            String server = t.get("server") instanceof String s ? s + "." : "";
            @SuppressWarnings("unchecked")
            Map<String, Object> a = (Map<String, Object>) arguments;
            toolCall(f, Text.fold(server + tool), a, via);
            if (f.unknownTool != null && !tool.contains(".") && server.isEmpty()) {
                f.unknownTool = null; // a tool without a server is the crew's own business
            }
        }
        String sql = text(t, "sql", "statement");
        if (sql.isEmpty() && isOneOf(action, "execute_sql", "run_sql", "sql", "run_query", "query_database",
                "execute_query", "db_query", "query")) {
            sql = text(t, "query");
        }
        if (!sql.isEmpty()) {
            sql(f, sql, database(text(t, "database", "db", "dbname")), via);
        }
        Object command = t.get("command") != null ? t.get("command") : t.get("cmd");
        if (command == null && isOneOf(action, "run", "run_command", "shell", "exec", "execute", "execute_command",
                "bash", "run_script")) {
            command = t.get("script");
        }
        if (command != null) {
            shell(f, commandText(command), via);
        }
        String path = text(t, "path", "file", "target");
        String content = textOrNull(t, "content", "text", "patch", "changes_text");
        switch (action) {
            case "write_file", "edit_file", "update_file", "modify_file", "create_file", "append_file", "patch_file",
                 "save_file", "update_config", "config_file_update", "edit_config", "replace_in_file" ->
                    write(f, path, content, via, null);
            case "delete_file", "remove_file", "rm", "unlink", "delete_path", "delete_directory", "remove_directory",
                 "cleanup_files", "delete_files" -> {
                delete(f, path, via, null);
                for (String p : list(t, "paths", "files")) {
                    delete(f, p, via, null);
                }
            }
            case "move_file", "rename_file", "move" -> {
                String source = text(t, "source", "from", "path");
                delete(f, source, via, null);
                write(f, text(t, "destination", "to", "dest"), secretMarker(source), via, null);
            }
            case "git_push", "push", "push_branch", "push_changes" -> {
                String branch = text(t, "branch", "ref");
                f.pushes.add(new Facts.Push(text(t, "remote"), branch.isBlank() ? Facts.Push.UNKNOWN
                        : refDestination(Text.fold(Text.decode(branch)), Facts.Push.UNKNOWN), via));
            }
            case "git_commit", "commit", "commit_changes" -> commit(f, t, via);
            case "stop_service", "service_stop", "stop_container", "stop", "shutdown_service", "kill_service",
                 "disable_service", "pause_service", "pause_container" -> {
                for (String n : names(t, "service", "container", "name", "services", "containers")) {
                    f.stops.add(new Facts.Named(n, via));
                }
            }
            case "remove_container", "container_remove", "delete_container", "rm_container", "destroy_container",
                 "remove_service", "delete_service" -> {
                for (String n : names(t, "container", "service", "name", "containers", "services")) {
                    f.removals.add(new Facts.Named(n, via));
                    f.stops.add(new Facts.Named(n, via));
                }
            }
            case "delete_collection", "drop_collection", "remove_collection", "clear_collection", "wipe_collection" ->
                    f.ops.add(new Facts.Op("qdrant-mcp.delete_collection", text(t, "collection", "name"), List.of(), via));
            case "drop_database", "delete_database", "remove_database", "wipe_database", "reset_database",
                 "destroy_database" -> {
                String db = name(t, "database", "db", "name");
                dropDatabase(f, db, via);
            }
            case "migrate", "migrate_database", "database_migration", "run_migration", "run_migrations",
                 "apply_migration", "schema_migration" -> f.migrations.add(new Facts.Named(name(t, "database", "db"), via));
            case "config_change", "set_config", "update_env", "set_env", "change_config", "update_settings",
                 "set_environment", "change_setting", "update_environment" -> settings(f, t, via);
            case "nixos_rebuild", "update_nixos", "modify_nixos", "change_nixos_config" ->
                    write(f, "/etc/nixos/configuration.nix", content, via, null);
            case "modify_firewall", "update_firewall", "firewall_rule", "open_port", "close_port", "configure_network",
                 "modify_network", "change_network", "add_firewall_rule", "block_ip" ->
                    f.execs.add(new Shell.Exec(List.of("iptables", "(" + via + ")"), List.of(), null, null));
            case "create_pull_request", "open_pull_request", "open_pr", "create_pr", "trigger_webhook", "post_message",
                 "publish", "send_webhook", "create_issue", "comment" ->
                    f.ops.add(new Facts.Op(action.contains("webhook") ? "n8n.trigger_webhook"
                            : "github-mcp." + action, argumentText(t), List.of(), via));
            default -> {
                if (!path.isEmpty() && content != null && !isOneOf(action, "read_file", "analyze_file", "review")) {
                    write(f, path, content, via, null);
                }
            }
        }
        return f;
    }

    private void settings(Facts f, Map<String, Object> t, String via) {
        String key = text(t, "key", "setting", "name", "variable");
        if (!key.isEmpty()) {
            f.settings.add(new Facts.Setting(canonicalKey(key), text(t, "value"), via));
        }
        for (String field : List.of("changes", "settings", "env", "environment", "values", "config")) {
            if (t.get(field) instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    f.settings.add(new Facts.Setting(canonicalKey(String.valueOf(e.getKey())),
                            Text.decode(String.valueOf(e.getValue())), via));
                }
            }
        }
    }

    // ------------------------------------------------------------------ channels

    private void sql(Facts f, String raw, String database, String via) {
        Sql.Analysis a = Sql.analyze(Text.decode(raw), database, 0);
        f.statements.addAll(a.statements());
        f.ops.add(new Facts.Op("postgres-mcp.execute_sql", "", a.statements(), via));
        for (Sql.Statement st : a.statements()) {
            if (st.ddl() && !st.rendering().contains(" TEMP") && !st.rendering().startsWith("DROP DATABASE")) {
                f.migrations.add(new Facts.Named(st.database() == null ? String.valueOf(Shell.UNKNOWN) : st.database(),
                        via + ": " + shorten(st.rendering())));
            }
        }
        for (String command : a.shellCommands()) {
            shell(f, command, via + " (shell command run by SQL)");
        }
        if (a.problem() != null) {
            f.problem("sql", "SQL cannot be read with confidence: " + a.problem());
        }
    }

    private void dropDatabase(Facts f, String db, String via) {
        Sql.Statement st = new Sql.Statement("DROP", List.of("DROP DATABASE " + db.toUpperCase(Locale.ROOT)), db, true);
        f.statements.add(st);
        f.ops.add(new Facts.Op("postgres-mcp.execute_sql", "", List.of(st), via));
    }

    private void shell(Facts f, String raw, String via) {
        if (raw == null || raw.isBlank()) {
            return;
        }
        Shell.Script script = Shell.parse(Text.decode(raw));
        if (script.problem() != null) {
            f.problem("command", "shell command cannot be read with confidence: " + script.problem());
        }
        for (String a : script.assignments()) {
            setting(f, a, via);
        }
        for (String code : script.inlineCode()) {
            String folded = Text.fold(Text.decode(code));
            for (String mention : INLINE_MENTIONS) {
                if (folded.contains(mention)) {
                    f.problem("command", "inline program code that touches '" + mention.strip() + "' cannot be inspected");
                    break;
                }
            }
        }
        new Commands(this, f, via).read(script.execs());
    }

    void setting(Facts f, String assignment, String via) {
        int eq = assignment.indexOf('=');
        if (eq > 0) {
            f.settings.add(new Facts.Setting(canonicalKey(assignment.substring(0, eq)), assignment.substring(eq + 1), via));
        }
    }

    void write(Facts f, String path, String content, String via, String cwd) {
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
        }
    }

    void delete(Facts f, String path, String via, String cwd) {
        if (path == null || path.isBlank()) {
            return;
        }
        String canonical = PathGlob.canonical(path, base(cwd));
        f.writes.add(new Facts.Write(canonical, null, via, true));
    }

    String base(String cwd) {
        if (cwd == null) {
            return workspace;
        }
        return PathGlob.canonical(cwd, workspace);
    }

    /** Settings written in a file: KEY=VALUE, KEY: VALUE, "KEY": VALUE, KEY = VALUE lines naming a watched word. */
    private void configLines(Facts f, String path, String content, String via) {
        if (path.endsWith("pg_hba.conf") && content.toLowerCase(Locale.ROOT).matches("(?s).*\\btrust\\b.*")) {
            f.settings.add(new Facts.Setting("AUTH_METHOD", "trust", via + " (pg_hba.conf trust)"));
        }
        // a document's lines are prose, never settings: its text need not be searched for the words at all
        if (isDocument(path) || !mentionsConfigWord(content)) {
            return;
        }
        for (String line : content.split("\n")) {
            java.util.regex.Matcher m = CONFIG_LINE.matcher(line);
            if (m.find()) {
                f.settings.add(new Facts.Setting(canonicalKey(m.group(1)), m.group(2), via + " in " + path));
            }
        }
    }

    /**
     * Whether the upper-cased content contains a watched word. ASCII content upper-cases one character
     * for one, so it is searched in place instead of copied; other text is upper-cased as before (ß becomes SS).
     */
    boolean mentionsConfigWord(String content) {
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

    boolean mentionsConfigWordCopying(String content) {
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

    private static boolean isDocument(String path) {
        return path.endsWith(".md") || path.endsWith(".markdown") || path.endsWith(".txt") || path.endsWith(".rst")
                || path.endsWith(".adoc") || path.endsWith(".html") || path.endsWith(".htm");
    }

    private static final java.util.regex.Pattern CONFIG_LINE = java.util.regex.Pattern.compile(
            "^\\s*(?:export\\s+|-\\s+)?[\"']?([A-Za-z_][A-Za-z0-9_.\\-]*)[\"']?\\s*(?:=|:)\\s*[\"']?([^\"'\\s#,]*)");

    static String canonicalKey(String key) {
        return Text.decode(key).strip().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
    }

    static boolean falsy(String value) {
        String v = Text.fold(Text.decode(value)).strip().replace("\"", "").replace("'", "");
        return switch (v) {
            case "false", "0", "no", "off", "n", "disabled", "disable", "" -> true;
            default -> false;
        };
    }

    static String secretMarker(String source) {
        if (source == null) {
            return null;
        }
        return isSecretFile(PathGlob.canonical(source, "/")) ? "[secret file " + source + "]" : null;
    }

    static boolean isSecretFile(String canonicalPath) {
        String base = canonicalPath.substring(canonicalPath.lastIndexOf('/') + 1);
        return SECRET_FILES.contains(base) || base.endsWith(".pem") && !base.contains("cert") && !base.contains("pub")
                || base.endsWith(".key") || base.endsWith(".p12") || base.endsWith(".pfx")
                || base.startsWith("service-account") && base.endsWith(".json")
                || canonicalPath.contains("/.aws/credentials") || canonicalPath.contains("/.ssh/id_");
    }

    /** The branch a push refspec updates: +src:dst, HEAD:main, refs/heads/main, :main (delete). */
    static String refDestination(String refspec, String current) {
        String r = refspec.strip();
        if (r.startsWith("+")) {
            r = r.substring(1);
        }
        int colon = r.indexOf(':');
        if (colon >= 0) {
            r = r.substring(colon + 1);
            if (r.isEmpty()) {
                return Facts.Push.UNKNOWN; // ":" pushes every matching branch
            }
        }
        if (r.startsWith("refs/heads/")) {
            r = r.substring("refs/heads/".length());
        } else if (r.startsWith("heads/")) {
            r = r.substring("heads/".length());
        }
        if (r.equals("head") || r.equals("@")) {
            return current;
        }
        return r;
    }

    // ------------------------------------------------------------------ argument helpers

    static String text(Map<String, Object> args, String... keys) {
        String v = textOrNull(args, keys);
        return v == null ? "" : v;
    }

    static String textOrNull(Map<String, Object> args, String... keys) {
        for (String key : keys) {
            Object v = args.get(key);
            if (v != null) {
                return v instanceof String s ? s : v instanceof Map || v instanceof Collection ? argumentText(v) : String.valueOf(v);
            }
        }
        return null;
    }

    private static String name(Map<String, Object> args, String... keys) {
        String v = text(args, keys);
        return v.isBlank() ? String.valueOf(Shell.UNKNOWN) : Text.fold(Text.decode(v)).strip();
    }

    private static List<String> names(Map<String, Object> args, String... keys) {
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            Object v = args.get(key);
            if (v instanceof Collection<?> c) {
                c.forEach(x -> out.add(Text.fold(Text.decode(String.valueOf(x))).strip()));
            } else if (v != null) {
                out.add(Text.fold(Text.decode(String.valueOf(v))).strip());
            }
        }
        if (out.isEmpty()) {
            out.add(String.valueOf(Shell.UNKNOWN));
        }
        return out;
    }

    private static List<String> list(Map<String, Object> args, String... keys) {
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            if (args.get(key) instanceof Collection<?> c) {
                c.forEach(x -> out.add(String.valueOf(x)));
            }
        }
        return out;
    }

    private static String database(String db) {
        return db == null || db.isBlank() ? null : Text.fold(Text.decode(db)).strip();
    }

    /** A command given as a string or as an argv list (each element quoted). */
    static String commandText(Object command) {
        if (command == null) {
            return "";
        }
        if (command instanceof Collection<?> argv) {
            StringBuilder b = new StringBuilder();
            for (Object a : argv) {
                if (!b.isEmpty()) {
                    b.append(' ');
                }
                b.append('\'').append(String.valueOf(a).replace("'", "'\\''")).append('\'');
            }
            return b.toString();
        }
        return String.valueOf(command);
    }

    /** Every string value of the arguments, one per line (what leaves Hydra through the tool). */
    static String argumentText(Object value) {
        StringBuilder b = new StringBuilder();
        appendText(b, value, 0);
        return Text.decode(b.toString());
    }

    private static void appendText(StringBuilder b, Object value, int depth) {
        if (value == null || depth > 8) {
            return;
        }
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(e.getKey()).append('=');
                appendText(b, e.getValue(), depth + 1);
            }
        } else if (value instanceof Collection<?> c) {
            for (Object o : c) {
                appendText(b, o, depth + 1);
            }
        } else {
            b.append(value).append('\n');
        }
    }

    static boolean isOneOf(String value, String... options) {
        for (String o : options) {
            if (o.equals(value)) {
                return true;
            }
        }
        return false;
    }

    static String shorten(String text) {
        return text.length() > 100 ? text.substring(0, 97) + "..." : text;
    }
}
