package dev.hydra.constitution.rules.facts;

import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.text.Budget;
import dev.hydra.constitution.rules.text.PathGlob;
import dev.hydra.constitution.rules.text.Text;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.tools.ToolKind;
import dev.hydra.topics.tools.ToolVocabulary;
import java.util.ArrayList;
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
public final class Extractor {

    private final Recorder recorder;
    private final ToolVocabulary tools;

    /**
     * @param workspace   where relative paths and the sandbox's working directory point
     * @param configWords words of watched settings (AUTH, PASSWORD): only lines naming one are read
     */
    public Extractor(String workspace, Set<String> configWords) {
        this(new Recorder(workspace, configWords), ToolVocabulary.standard());
    }

    private Extractor(Recorder recorder, ToolVocabulary tools) {
        this.recorder = recorder;
        this.tools = tools;
    }

    /** This extractor reading the tools of {@code tools} (the contract's vocabulary with the configured MCP servers). */
    public Extractor withTools(ToolVocabulary tools) {
        return new Extractor(recorder, tools);
    }

    // ------------------------------------------------------------------ tool calls

    public Facts of(ToolCall call) {
        Facts f = new Facts();
        String tool = Text.fold(Text.decode(call.server()).strip() + "." + Text.decode(call.tool()).strip());
        toolCall(f, tool, call.arguments(), tool);
        return f;
    }

    /** A tool's arguments read by the tool's effect, with the argument names the vocabulary gives each role. */
    private void toolCall(Facts f, String tool, Map<String, Object> args, String via) {
        ToolKind known = tools.find(tool).orElse(null);
        if (f.tool == null) {
            f.tool = tool;
        }
        if (known == null) {
            f.unknownTool = tool;
            f.ops.add(new Facts.Op(tool, sentText(args), List.of(), via));
            generic(f, args, via);
            files(f, tool.substring(tool.lastIndexOf('.') + 1), args, via, 0);
            return;
        }
        understood(f, tool, known, args);
        options(f, known, args, via);
        f.effect = known.effect();
        switch (known.effect().word()) {
            case "read", "restart", "vector" -> f.ops.add(new Facts.Op(tool, "", List.of(), via));
            // memory is read into later prompts (to model endpoints that may be remote): judged like text that leaves
            case "publish", "remember" -> f.ops.add(new Facts.Op(tool, sentText(args), List.of(), via));
            case "write" -> {
                String content = textOrNull(args, known.keys("content"));
                String tree = text(args, known.keys(TREE));
                // a tree (mcp-server-git's checkout of repo_path) has any file under it rewritten
                String written = tree.isEmpty() ? text(args, known.keys("path")) : tree.replaceAll("/+$", "") + "/**";
                if (written.isEmpty() && known.server().equals(ToolVocabulary.GIT)) {
                    // Hydra's git server works on the workspace repository, which no argument names: a checkout
                    // rewrites the workspace's files (to states already in the repository), judged like that write
                    written = recorder.base(null).replaceAll("/+$", "") + "/**";
                }
                recorder.write(f, written, content != null ? content : newTexts(args.get(EDITS)), via, null);
                for (String other : every(args, known.keys("path"))) {
                    if (!other.equals(written)) { // a second name for the path: either may be the one written
                        recorder.write(f, other, content != null ? content : newTexts(args.get(EDITS)), via, null);
                    }
                }
                String canonical = written.isBlank() ? "" : PathGlob.canonical(written, recorder.base(null));
                if (args.get(EDITS) instanceof Collection<?> edits && ComposeFile.named(canonical)) {
                    for (Object e : edits) { // each edit's new text is a fragment of the compose file
                        if (e instanceof Map<?, ?> m && m.get("newText") instanceof String t) {
                            ComposeFile.read(recorder, f, canonical, t, via);
                        }
                    }
                }
            }
            case "delete" -> {
                for (String path : every(args, known.keys("path"))) {
                    recorder.delete(f, path, via, null);
                }
            }
            case "move" -> {
                String source = text(args, known.keys("source"));
                for (String s : every(args, known.keys("source"))) {
                    recorder.delete(f, s, via, null);
                }
                for (String destination : every(args, known.keys("destination"))) {
                    recorder.write(f, destination, Recorder.secretMarker(source), via, null);
                }
            }
            case "commit" -> commit(f, args, via);
            case "push" -> {
                String branch = text(args, known.keys("branch"));
                String remote = text(args, known.keys("remote"));
                if (!remote.isEmpty() && !PLAIN_REF.matcher(remote).matches()) {
                    f.problem("remote", "not understood: the remote '" + Recorder.shorten(remote)
                            + "' is not a remote's name (a URL, an option or a transport)");
                }
                if (!branch.isEmpty() && !PLAIN_REF.matcher(branch).matches()) {
                    f.problem("branch", "not understood: the branch '" + Recorder.shorten(branch)
                            + "' is not a branch name (an option or a refspec)");
                }
                f.pushes.add(new Facts.Push(text(args, known.keys("remote")), branch.isBlank() ? Facts.Push.UNKNOWN
                        : refDestination(Text.fold(Text.decode(branch)), Facts.Push.UNKNOWN), via));
            }
            case "stop" -> f.stops.add(new Facts.Named(name(args, known.keys("container")), via));
            case "remove" -> {
                String name = name(args, known.keys("container"));
                f.removals.add(new Facts.Named(name, via));
                f.stops.add(new Facts.Named(name, via));
            }
            case "exec" -> Commands.shell(recorder, f, commandText(args.get(known.keys("command")[0])),
                    via + " in container " + name(args, known.keys("container")));
            case "sql" -> Commands.sql(recorder, f, text(args, known.keys("sql")),
                    database(text(args, known.keys("database"))), via, "SQL");
            case "collection" -> f.ops.add(new Facts.Op(tool, text(args, known.keys("collection")), List.of(), via));
            case "fetch" -> {
                f.ops.add(new Facts.Op(tool, sentText(args), List.of(), via));
                String method = text(args, known.keys("method")).strip().toUpperCase(java.util.Locale.ROOT);
                if (!method.isEmpty() && !method.equals("GET") && !method.equals("HEAD")) {
                    f.problem("method", "not understood: " + tool + " with method " + Recorder.shorten(method)
                            + " changes what it reaches");
                }
                String url = Text.fold(text(args, known.keys("url")));
                String where = FetchTarget.insideOrNotWeb(url);
                if (INTERNAL_HOST.matcher(url).find()) {
                    f.problem("url", "not understood: " + tool + " reaches " + Recorder.shorten(url)
                            + ", a host inside the lab (Hydra's own services or a private address)");
                } else if (where != null) {
                    f.problem("url", "not understood: " + tool + " " + Recorder.shorten(url) + " " + where);
                }
            }
            case "shell" -> {
                f.sandboxed = true;
                sandbox(f, args, via);
                Commands.shell(recorder, f, commandText(args.get(known.keys("command")[0])), via);
            }
            default -> throw new IllegalStateException("vocabulary.table: unknown tool effect " + known.effect());
        }
    }

    /** Hosts of the lab: loopback, private ranges, link-local, and the names of the services beside Hydra. */
    private static final java.util.regex.Pattern INTERNAL_HOST = java.util.regex.Pattern.compile(
            "^[a-z][a-z0-9+.\\-]*://(?:[^/@]*@)?(?:localhost|127\\.|0\\.0\\.0\\.0|10\\.|192\\.168\\.|169\\.254\\."
            + "|172\\.(?:1[6-9]|2\\d|3[01])\\.|\\[|[a-z0-9\\-]+(?::|/|$))");

    /** A remote's or branch's name: no option (-), transport (ext::, file://) or refspec (+a:b). */
    private static final java.util.regex.Pattern PLAIN_REF = java.util.regex.Pattern.compile(
            "[A-Za-z0-9_][A-Za-z0-9_./\\-]*");
    /** An MCP edit list, [{"oldText": ..., "newText": ...}], on a tool that writes a file. */
    private static final String EDITS = "edits";
    /** Roles whose value is one text (a path, a remote, SQL): a list or map there is not understood. */
    private static final Set<String> TEXT_ROLES = Set.of("path", "tree", "source", "destination", "remote", "branch", "sql",
            "database", "container", "collection", "message", "content", "block", "text", "old");

    /**
     * A known tool's arguments are understood only when each one is an argument the vocabulary names
     * for it, with the right shape: an argument the tool might act on but the constitution does not read
     * ({"cwd": "/etc"}, {"statements": [...]}, {"path": ["/workspace/a", "/etc/passwd"]}) needs a person.
     */
    private void understood(Facts f, String tool, ToolKind known, Map<String, Object> args) {
        if (known.roles().isEmpty()) {
            if (!args.isEmpty() && official(tool)) {
                // an official server's tool takes only what its line names: here, nothing
                f.problem("arguments", "not understood: " + tool + " has no argument '"
                        + Recorder.shorten(args.keySet().iterator().next()) + "' the constitution knows");
            }
            return;
        }
        for (Map.Entry<String, Object> a : args.entrySet()) {
            if (known.effect().word().equals("write") && (a.getKey().equals(EDITS) && newTexts(a.getValue()) != null
                    || a.getKey().equals("dryRun") && a.getValue() instanceof Boolean)) {
                continue; // MCP's edit shape: the edits' new text is read as what is written; a dry run writes nothing
            }
            String role = null;
            for (Map.Entry<String, List<String>> r : known.roles().entrySet()) {
                if (r.getValue().contains(a.getKey())) {
                    role = r.getKey();
                    // two names of one part ({"destination": a, "to": b}): which one the server reads is its choice
                    long named = r.getValue().stream().filter(args::containsKey).count();
                    if (named > 1 && (TEXT_ROLES.contains(r.getKey()) || r.getKey().equals("command"))) {
                        f.problem("arguments", "not understood: " + tool + " names its " + role + " "
                                + named + " times (" + String.join(", ", r.getValue().stream().filter(args::containsKey)
                                .toList()) + ")");
                    }
                }
            }
            if (role == null) {
                f.problem("arguments", "not understood: " + tool + " has no argument '" + Recorder.shorten(a.getKey())
                        + "' the constitution knows");
            } else if (TEXT_ROLES.contains(role) && a.getValue() != null && !(a.getValue() instanceof String)) {
                f.problem("arguments", "not understood: " + tool + " argument '" + a.getKey() + "' is not one text");
            } else if (!shaped(role, a.getValue())) {
                f.problem("arguments", "not understood: " + tool + " argument '" + a.getKey() + "' is not "
                        + (role.equals(COUNT) ? "a number" : "a plain value"));
            }
        }
    }

    /** Roles of the official servers' arguments beyond the parts: a number, a plain value (or a list of them), paths read. */
    private static final String COUNT = "count";
    private static final String SETTING = "setting";
    private static final String PATHS = "paths";
    /** A directory whose files a tool may rewrite, any of them (a repository checked out). */
    private static final String TREE = "tree";
    /** Roles whose text git reads as a revision or a branch: an option there (--output=FILE) is git's option. */
    private static final Set<String> REVISION_ROLES = Set.of("revision", "branch");

    private static boolean shaped(String role, Object value) {
        return switch (role) {
            case COUNT -> value == null || value instanceof Integer || value instanceof Long
                    || value instanceof String s && s.strip().matches("\\d{1,9}");
            case SETTING -> value == null || plain(value) || value instanceof Collection<?> list
                    && list.stream().allMatch(Extractor::plain);
            case PATHS -> value instanceof Collection<?> list && list.stream().allMatch(v -> v instanceof String);
            default -> true;
        };
    }

    private static boolean plain(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    /** Whether the tool is one of an official MCP server (a kind), whose arguments are all known. */
    private boolean official(String tool) {
        int dot = tool.indexOf('.');
        return tools.kindName(tool).isPresent() || tools.server(tool.substring(0, Math.max(dot, 0)))
                .map(s -> s.origin() == ToolVocabulary.Origin.KIND).orElse(false);
    }

    /**
     * A revision or branch that starts with '-' is an option to the git the server runs (mcp-server-git's
     * git_diff target "--output=FILE" writes FILE): not understood, and read as git's own command line so
     * that what the option does (a file written, a program run) is judged too.
     */
    private void options(Facts f, ToolKind known, Map<String, Object> args, String via) {
        for (String role : REVISION_ROLES) {
            for (String key : known.keys(role)) {
                if (args.get(key) instanceof String v && (v.strip().startsWith("-") || v.chars().anyMatch(Character::isISOControl))) {
                    f.problem(role, "not understood: the " + role + " '" + Recorder.shorten(v)
                            + "' is not a revision git reads as one (an option or a control character)");
                    Commands.shell(recorder, f, "git diff '" + v.replace("'", "'\\''") + "'", via + " (an option to git)");
                }
            }
        }
    }

    /** Fields of an unknown tool that name actions are read anyway, so DENY rules still see them. */
    private void generic(Facts f, Map<String, Object> args, String via) {
        String sql = text(args, "sql");
        if (!sql.isEmpty()) {
            Commands.sql(recorder, f, sql, database(text(args, "database", "db")), via, "SQL");
        }
        Object command = args.get("command") != null ? args.get("command") : args.get("cmd");
        if (command != null) {
            Commands.shell(recorder, f, commandText(command), via);
        }
        String path = text(args, "path", "file", "destination");
        if (!path.isEmpty() && args.containsKey("content")) {
            recorder.write(f, path, textOrNull(args, "content"), via, null);
        }
    }

    /** What an unknown tool's name says it does to the files its arguments name, by the verbs MCP servers use. */
    private enum FileVerb { WRITE, DELETE, MOVE }

    private static final java.util.regex.Pattern DELETE_VERB = java.util.regex.Pattern.compile(
            "(?:^|[_.\\-])(?:delete|remove|rm|unlink|trash|purge|erase|destroy|rmdir)(?:$|[_.\\-])");
    private static final java.util.regex.Pattern MOVE_VERB = java.util.regex.Pattern.compile(
            "(?:^|[_.\\-])(?:move|rename|mv)(?:$|[_.\\-])");
    private static final java.util.regex.Pattern WRITE_VERB = java.util.regex.Pattern.compile(
            "(?:^|[_.\\-])(?:write|edit|create|save|put|append|patch|replace|update|upload|mkdir|touch|set|chmod"
            + "|chown|truncate|overwrite|insert|apply|restore|extract|unzip|link|symlink"
            // tools that put the files they name somewhere (a repository, a bucket, a host): github's push_files
            + "|push|commit|sync|deploy|copy|cp|import|download|store|upsert|merge|install)(?:$|[_.\\-])");

    private static FileVerb verb(String name) {
        if (DELETE_VERB.matcher(name).find()) {
            return FileVerb.DELETE;
        }
        if (MOVE_VERB.matcher(name).find()) {
            return FileVerb.MOVE;
        }
        return WRITE_VERB.matcher(name).find() ? FileVerb.WRITE : null;
    }

    /**
     * The files an unknown tool acts on, as MCP servers name them: {@code path}, {@code source} and
     * {@code destination} (server-filesystem's write_file, edit_file, move_file, create_directory), also
     * in lists of operations ({"operations": [{"op": "remove", "path": ...}]}), each judged by the verb
     * of the tool's name or of the operation. A person still decides (the tool is unknown), but an
     * absolute (the constitution written, moved or deleted) is DENY whatever the tool is called.
     */
    private void files(Facts f, String toolName, Map<?, ?> args, String via, int depth) {
        Budget.nesting(depth, "the arguments");
        Object op = args.get("op") != null ? args.get("op") : args.get("action") != null ? args.get("action") : args.get("type");
        FileVerb v = verb(op instanceof String o ? Text.fold(o) : toolName);
        if (v != null) {
            String path = pathArgument(args, "path", "file", "filename", "target", "dir", "directory");
            String source = pathArgument(args, "source", "src", "from");
            String destination = pathArgument(args, "destination", "dest", "to");
            String content = args.get("content") instanceof String c ? c : newTexts(args.get("edits"));
            if (v == FileVerb.DELETE && path != null) {
                recorder.delete(f, path, via, null);
            } else if (v == FileVerb.MOVE || source != null && destination != null) {
                if (source != null) {
                    recorder.delete(f, source, via, null);
                }
                if (destination != null) {
                    recorder.write(f, destination, source == null ? null : Recorder.secretMarker(source), via, null);
                }
            } else if (path != null && (depth > 0 || !args.containsKey("content"))) {
                // at the top with content it was written above (generic); a list's item ({"path", "content"}) here
                recorder.write(f, path, content, via, null);
            }
        }
        for (Object value : args.values()) {
            if (value instanceof Collection<?> list) {
                for (Object item : list) {
                    if (item instanceof Map<?, ?> m) {
                        files(f, toolName, m, via, depth + 1);
                    }
                }
            } else if (value instanceof Map<?, ?> m) {
                files(f, toolName, m, via, depth + 1);
            }
        }
    }

    private static String pathArgument(Map<?, ?> args, String... keys) {
        for (String key : keys) {
            if (args.get(key) instanceof String s && !s.isBlank()) {
                return nul(String.valueOf(key), s);
            }
        }
        return null;
    }

    /** The text an MCP edit list adds ([{"oldText": ..., "newText": ...}]), or null when there is none. */
    private static String newTexts(Object edits) {
        if (!(edits instanceof Collection<?> list)) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (Object e : list) {
            if (e instanceof Map<?, ?> m && m.get("newText") instanceof String t) {
                b.append(t).append('\n');
            }
        }
        return b.isEmpty() ? null : b.toString();
    }

    private static void sandbox(Facts f, Map<String, Object> args, String via) {
        for (String key : List.of("sandbox", "sandboxed", "require_sandbox", "network_disabled")) {
            if (args.containsKey(key) && Recorder.falsy(String.valueOf(args.get(key)))) {
                f.sandboxEscapes.add(new Facts.Named(key + "=" + args.get(key), via));
            }
        }
        for (String key : List.of("network", "network_access", "unsandboxed", "privileged", "host_network")) {
            if (args.containsKey(key) && !Recorder.falsy(String.valueOf(args.get(key)))) {
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
            canonical.add(PathGlob.canonical(file, recorder.base(null)));
        }
        f.commits.add(new Facts.Commit(canonical, Text.decode(text.toString()), via));
        for (String file : canonical) {
            f.writes.add(new Facts.Write(file, null, via + " (commit)", false));
        }
        // a committed configuration ships: the settings it makes count as if the file were written
        if (fileArg instanceof Collection<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> m && m.get("content") != null) {
                    String file = String.valueOf(m.containsKey("path") ? m.get("path") : m.get("name"));
                    recorder.configLines(f, PathGlob.canonical(file, recorder.base(null)),
                            Text.decode(String.valueOf(m.get("content"))), via + " (commit)");
                }
            }
        }
        if (args.get("content") != null && canonical.size() == 1) {
            recorder.configLines(f, canonical.get(0), Text.decode(String.valueOf(args.get("content"))), via + " (commit)");
        }
    }

    // ------------------------------------------------------------------ tasks

    /**
     * The tool calls a task names ({"tool": ..., "arguments": {...}}), at its top and in its lists of
     * steps, however nested ({"plan": {"steps": [{"server": ..., "tool": ..., "arguments": ...}]}}), each
     * judged as the call itself.
     */
    private void taskCalls(Facts f, Map<?, ?> t, String via, int depth) {
        Budget.nesting(depth, "the task's steps");
        if (t.get("tool") instanceof String tool && t.get("arguments") instanceof Map<?, ?> arguments) {
            String server = t.get("server") instanceof String s ? s + "." : "";
            @SuppressWarnings("unchecked")
            Map<String, Object> a = (Map<String, Object>) arguments;
            String unknownBefore = f.unknownTool;
            toolCall(f, Text.fold(server + tool), a, via);
            if (f.unknownTool != null && f.unknownTool != unknownBefore && !tool.contains(".") && server.isEmpty()) {
                f.unknownTool = unknownBefore; // a tool without a server is the crew's own business
            }
        }
        for (Map.Entry<?, ?> e : t.entrySet()) {
            if (e.getValue() instanceof Collection<?> list) {
                for (Object item : list) {
                    if (item instanceof Map<?, ?> step) {
                        taskCalls(f, step, via, depth + 1);
                    }
                }
            } else if (e.getValue() instanceof Map<?, ?> m && !"arguments".equals(e.getKey())) {
                taskCalls(f, m, via, depth + 1); // {"plan": {"phases": [...]}}
            }
        }
    }

    public Facts of(Task task) {
        Facts f = new Facts();
        Map<String, Object> t = task.task();
        String action = Text.fold(Text.decode(task.action())).strip().replaceAll("[^a-z0-9]+", "_");
        String via = "task action " + action;
        taskCalls(f, t, via, 0);
        String sql = text(t, "sql", "statement");
        if (sql.isEmpty() && Recorder.isOneOf(action, "execute_sql", "run_sql", "sql", "run_query", "query_database",
                "execute_query", "db_query", "query")) {
            sql = text(t, "query");
        }
        if (!sql.isEmpty()) {
            Commands.sql(recorder, f, sql, database(text(t, "database", "db", "dbname")), via, "SQL");
        }
        Object command = t.get("command") != null ? t.get("command") : t.get("cmd");
        if (command == null && Recorder.isOneOf(action, "run", "run_command", "shell", "exec", "execute", "execute_command",
                "bash", "run_script")) {
            command = t.get("script");
        }
        if (command != null) {
            Commands.shell(recorder, f, commandText(command), via);
        }
        String path = text(t, "path", "file", "target");
        String content = textOrNull(t, "content", "text", "patch", "changes_text");
        switch (action) {
            case "write_file", "edit_file", "update_file", "modify_file", "create_file", "append_file", "patch_file",
                 "save_file", "update_config", "config_file_update", "edit_config", "replace_in_file" ->
                    recorder.write(f, path, content, via, null);
            case "delete_file", "remove_file", "rm", "unlink", "delete_path", "delete_directory", "remove_directory",
                 "cleanup_files", "delete_files" -> {
                recorder.delete(f, path, via, null);
                for (String p : list(t, "paths", "files")) {
                    recorder.delete(f, p, via, null);
                }
            }
            case "move_file", "rename_file", "move" -> {
                String source = text(t, "source", "from", "path");
                recorder.delete(f, source, via, null);
                recorder.write(f, text(t, "destination", "to", "dest"), Recorder.secretMarker(source), via, null);
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
                recorder.dropDatabase(f, db, via);
            }
            case "migrate", "migrate_database", "database_migration", "run_migration", "run_migrations",
                 "apply_migration", "schema_migration" -> f.migrations.add(new Facts.Named(name(t, "database", "db"), via));
            case "config_change", "set_config", "update_env", "set_env", "change_config", "update_settings",
                 "set_environment", "change_setting", "update_environment" -> settings(f, t, via);
            case "nixos_rebuild", "update_nixos", "modify_nixos", "change_nixos_config" ->
                    recorder.write(f, "/etc/nixos/configuration.nix", content, via, null);
            case "modify_firewall", "update_firewall", "firewall_rule", "open_port", "close_port", "configure_network",
                 "modify_network", "change_network", "add_firewall_rule", "block_ip" ->
                    f.execs.add(new Shell.Exec(List.of("iptables", "(" + via + ")"), List.of(), null, null));
            case "create_pull_request", "open_pull_request", "open_pr", "create_pr", "trigger_webhook", "post_message",
                 "publish", "send_webhook", "create_issue", "comment" ->
                    f.ops.add(new Facts.Op(action.contains("webhook") ? "n8n.trigger_webhook"
                            : "github-mcp." + action, sentText(t), List.of(), via));
            default -> {
                if (!path.isEmpty() && content != null && !Recorder.isOneOf(action, "read_file", "analyze_file", "review")) {
                    recorder.write(f, path, content, via, null);
                }
            }
        }
        return f;
    }

    private void settings(Facts f, Map<String, Object> t, String via) {
        String key = text(t, "key", "setting", "name", "variable");
        if (!key.isEmpty()) {
            f.settings.add(new Facts.Setting(Recorder.canonicalKey(key), text(t, "value"), via));
        }
        for (String field : List.of("changes", "settings", "env", "environment", "values", "config")) {
            if (t.get(field) instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    f.settings.add(new Facts.Setting(Recorder.canonicalKey(String.valueOf(e.getKey())),
                            Text.decode(String.valueOf(e.getValue())), via));
                }
            }
        }
    }

    // ------------------------------------------------------------------ channels


















    /** The branch a push refspec updates: +src:dst, HEAD:main, refs/heads/main, :main (delete). */
    public static String refDestination(String refspec, String current) {
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

    public static String text(Map<String, Object> args, String... keys) {
        String v = textOrNull(args, keys);
        return v == null ? "" : v;
    }

    public static String textOrNull(Map<String, Object> args, String... keys) {
        for (String key : keys) {
            Object v = args.get(key);
            if (v != null) {
                return v instanceof String s ? nul(key, s) : v instanceof Map || v instanceof Collection ? argumentText(v)
                        : String.valueOf(v);
            }
        }
        return null;
    }

    /** Arguments whose text is data (what is written or sent), not a name a program opens or runs. */
    private static final Set<String> DATA_KEYS = Set.of("content", "text", "data", "body", "message", "msg", "edits",
            "newText");

    /**
     * A NUL in an argument's text: a path, command or SQL ends there for whatever hands it to the system
     * as a C string (open(2), execve(2), libpq), so it is read up to the NUL, not as the rules' mark of a
     * value that cannot be known; in data it is a character like any other.
     */
    private static String nul(String key, String s) {
        int at = s.indexOf('\0');
        if (at < 0) {
            return s;
        }
        return DATA_KEYS.contains(key) ? s.replace('\0', ' ') : s.substring(0, at);
    }

    /** The text of every one of these arguments that is present (first is what {@link #text} gives), or one "". */
    private static List<String> every(Map<String, Object> args, String... keys) {
        List<String> out = new ArrayList<>(1);
        for (String key : keys) {
            if (args.get(key) != null) {
                out.add(textOrNull(args, key));
            }
        }
        return out.isEmpty() ? List.of("") : out;
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
    public static String commandText(Object command) {
        if (command == null) {
            return "";
        }
        if (command instanceof Collection<?> argv) {
            StringBuilder b = new StringBuilder();
            for (Object a : argv) {
                if (!b.isEmpty()) {
                    b.append(' ');
                }
                b.append('\'').append(nul("command", String.valueOf(a)).replace("'", "'\\''")).append('\'');
            }
            return b.toString();
        }
        return nul("command", String.valueOf(command));
    }

    /** Every string value of the arguments, one per line (what leaves Hydra through the tool). */
    /** Short values (at most this long, one line each) are joined with their neighbours, for {@link #sentText}. */
    private static final int PIECE_LIMIT = 256;
    /** How many neighbouring values one join holds: a token split in two or three pieces. */
    private static final int PIECES = 3;
    /** The joins are at most this long in all, so a call of many values costs a bounded scan. */
    private static final int JOINED_LIMIT = 64 * 1024;

    /**
     * The text of arguments that leave Hydra, and below it each short value joined with the one or two
     * that follow it, a line each: a token split across fields ({"a": "ghp_", "b": "1qW3..."}) is whole
     * again where the receiver joins the pieces. At most 64 KiB of joins, so the scan stays bounded.
     */
    static String sentText(Map<String, Object> args) {
        List<String> pieces = new ArrayList<>();
        join(pieces, args, 0);
        String text = argumentText(args);
        if (pieces.size() < 2) {
            return text;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i + 1 < pieces.size() && b.length() < JOINED_LIMIT; i++) {
            for (int k = i; k < Math.min(pieces.size(), i + PIECES); k++) {
                b.append(pieces.get(k));
            }
            b.append('\n');
        }
        return text + "\n" + Text.decode(b.toString());
    }

    private static void join(List<String> pieces, Object value, int depth) {
        if (value == null || depth > 8 || pieces.size() > Budget.MAX_WORDS) {
            return;
        }
        if (value instanceof Map<?, ?> m) {
            m.values().forEach(v -> join(pieces, v, depth + 1));
        } else if (value instanceof Collection<?> c) {
            c.forEach(v -> join(pieces, v, depth + 1));
        } else if (value instanceof String s && s.length() <= PIECE_LIMIT && s.indexOf('\n') < 0) {
            pieces.add(s);
        }
    }

    public static String argumentText(Object value) {
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


}
