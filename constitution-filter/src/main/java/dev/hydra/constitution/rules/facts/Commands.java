package dev.hydra.constitution.rules.facts;

import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.sql.Sql;
import dev.hydra.constitution.rules.text.Budget;
import dev.hydra.constitution.rules.text.PathGlob;
import dev.hydra.constitution.rules.text.Text;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the programs of one shell command do, as facts: files written and deleted (redirections, tee,
 * cp, mv, sed -i, ...), SQL run through psql/mysql/sqlite3 (and dropdb), Qdrant collections deleted
 * over HTTP, services stopped and containers removed (systemctl, docker, compose, pkill), git pushes
 * and commits (with the branch followed through checkouts), settings, migrations and sandbox escapes.
 */
public final class Commands {
    private static final String UNKNOWN = String.valueOf(Shell.UNKNOWN);
    /**
     * Marks the target of a link as written: the rules see it (a link is a way to write the file later),
     * but inside the sandbox a link changes nothing outside the workspace by itself.
     */
    public static final String LINK_TARGET = "(link target)";
    private static final Set<String> NULL_TARGETS = Set.of("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty");

    private final Recorder recorder;
    private final Facts f;
    private final String via;
    private String branch = Facts.Push.UNKNOWN;
    private final Set<String> staged = new LinkedHashSet<>();

    Commands(Recorder recorder, Facts facts, String via) {
        this.recorder = recorder;
        this.f = facts;
        this.via = via;
    }

    private static final Set<String> INLINE_MENTIONS = Set.of("iptables", "ip6tables", "nft ", "nftables", "ufw",
            "firewall", "/etc/network", "constitution", "drop ", "truncate", "delete from", "delete_collection",
            "disable_auth", "no_password", "systemctl", "docker", "git push", "rm -rf", "rmtree", "os.remove",
            "unlink", "/etc/nixos", "subprocess", "os.system", "exec(", "eval(", "child_process", "system(",
            // code aimed at the network or at leaving the sandbox, even though the sandbox would stop it
            "socket", "urllib", "http.client", "requests.", "fetch(", "net.connect", "xmlhttprequest", "lwp::",
            "io::socket", "popen", "`", "/dev/tcp", "pty.spawn", "ctypes", "setns", "/proc/", "/etc/",
            // the same in the other languages' words: PHP, gawk's network files, Ruby, R, URLs themselves
            "://", "file_get_contents", "fsockopen", "stream_socket", "curl_", "/inet/", "/inet4/", "/inet6/",
            "net::http", "net/http", "open-uri", "download.file", "httr", "urlopen", "httpclient", "websocket",
            "getaddrinfo", "gethostbyname");

    /** Reads a shell command line: every program it runs, the settings it makes, inline code it cannot read. */
    private static final java.util.regex.Pattern AUTH_OFF_OPTION =
            java.util.regex.Pattern.compile("(?i)--?(?:no|disable|skip)[-_]?([a-z_-]*auth[a-z_-]*)");
    /** A jq/yq assignment {@code .security.authentication = "none"}: the setting it makes in the document. */
    private static final java.util.regex.Pattern DOCUMENT_ASSIGNMENT =
            java.util.regex.Pattern.compile("^\\s*\\.([A-Za-z_][A-Za-z0-9_.\\-]*)\\s*\\|?=\\s*(.+?)\\s*$");

    /** Settings a program's options make: {@code --no-auth}, and the assignments of a jq/yq expression. */
    private static void optionSettings(Recorder recorder, Facts f, String program, List<String> args, String what) {
        boolean documentEditor = Recorder.isOneOf(program, "jq", "yq", "gojq", "dasel", "tomlq", "xq");
        for (String a : args) {
            java.util.regex.Matcher off = AUTH_OFF_OPTION.matcher(a);
            if (off.matches()) {
                recorder.setting(f, "NO_" + off.group(1) + "=true", what);
            } else if (documentEditor) {
                java.util.regex.Matcher set = DOCUMENT_ASSIGNMENT.matcher(a);
                if (set.matches()) {
                    recorder.setting(f, set.group(1) + "=" + set.group(2).replaceAll("^[\"']|[\"']$", ""), what);
                }
            }
        }
    }

    public static void shell(Recorder recorder, Facts f, String raw, String via) {
        if (raw == null || raw.isBlank()) {
            return;
        }
        Shell.Script script = Shell.parse(Text.decode(raw));
        if (script.problem() != null) {
            f.problem("command", "shell command cannot be read with confidence: " + script.problem());
        }
        for (String a : script.assignments()) {
            recorder.setting(f, a, via);
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
        new Commands(recorder, f, via).read(script.execs());
    }

    /** Reads SQL, and the shell commands it runs (COPY ... PROGRAM) as shell commands. */
    public static void sql(Recorder recorder, Facts f, String raw, String database, String via, String problemPrefix) {
        Sql.Analysis a = recorder.sql(f, raw, database, via, problemPrefix);
        for (String command : a.shellCommands()) {
            shell(recorder, f, command, via + " (shell command run by SQL)");
        }
        for (String file : a.filesWritten()) {
            // on the database server (COPY ... TO, lo_export) or, for psql's \o, \g, \copy, on the client
            recorder.write(f, file, null, via + " (a file written by SQL)", null);
        }
    }

    public void read(List<Shell.Exec> execs) {
        for (Shell.Exec e : execs) {
            run(e, 0);
        }
    }

    /**
     * A program that may run another one named among its arguments: one the table does not know
     * (faketime DATE rm x, chpst -u u rm x, gdb --args rm x), or a wrapper or privilege program the shell
     * reader has no case for (valgrind rm x, su-exec u rm x). The first argument that is a program the
     * table knows starts the command it runs, and an argument that is itself a command line
     * (hyperfine 'rm x', expect -c 'spawn rm x') is read as one. The outer program is judged as before
     * (an unknown one needs a person); this only lets the rules see what it would run.
     */
    private void wrapped(Shell.Exec e, int depth) {
        Vocabulary v = Vocabulary.table();
        Vocabulary.Effect effect = v.program(e).effect();
        if (depth > 3 || Shell.unwraps(e.program())
                || effect != null && effect != Vocabulary.Effect.WRAPPER && effect != Vocabulary.Effect.PRIVILEGE) {
            return;
        }
        List<String> argv = e.argv();
        for (int k = 1; k < argv.size(); k++) {
            String a = argv.get(k);
            if (a.indexOf(' ') > 0 && !a.startsWith("-")) {
                Shell.Script inner = Shell.parse(Text.decode(a));
                for (Shell.Exec x : inner.execs()) {
                    run(new Shell.Exec(x.argv(), x.redirects(), x.stdin(), x.cwd() != null ? x.cwd() : e.cwd()), depth + 1);
                }
            } else if (v.knows(Shell.basename(a))) {
                run(new Shell.Exec(argv.subList(k, argv.size()), List.of(), e.stdin(), e.cwd()), depth + 1);
                return;
            }
        }
    }

    private void run(Shell.Exec inner, int depth) {
        f.execs.add(inner);
        for (Shell.Redirect r : inner.redirects()) {
            if (r.writes() && !r.target().startsWith("&") && !NULL_TARGETS.contains(r.target())) {
                recorder.write(f, r.target(), r.content(), via + " (" + inner.program() + " >)", inner.cwd());
            }
        }
        exec(inner);
        wrapped(inner, depth);
    }

    private void exec(Shell.Exec e) {
        String p = e.program();
        List<String> args = e.argv().subList(1, e.argv().size());
        String cwd = e.cwd();
        String what = via + " (" + p + ")";
        switch (p) {
            case "tee" -> {
                for (String a : operands(args)) {
                    if (!NULL_TARGETS.contains(a)) {
                        recorder.write(f, a, e.stdin(), what, cwd);
                    }
                }
            }
            case "cp", "install", "rsync", "scp", "ditto" -> copy(args, false, what, cwd, p);
            case "ln" -> {
                // a link to a file is a way to write it later: the target counts as written too
                // a relative target is relative to the link's directory (ln -s ../shared/x src/x: /workspace/shared/x)
                List<String> ops = operands(args);
                String link = ops.size() >= 2 ? PathGlob.canonical(ops.get(ops.size() - 1), recorder.base(cwd)) : null;
                String linkDir = link == null ? cwd : link.substring(0, Math.max(1, link.lastIndexOf('/')));
                for (int i = 0; i < ops.size(); i++) {
                    boolean isTarget = ops.size() < 2 || i < ops.size() - 1;
                    recorder.write(f, ops.get(i), null, isTarget ? what + " " + LINK_TARGET : what, isTarget ? linkDir : cwd);
                }
                copy(args, false, what, cwd, p);
            }
            case "mount" -> {
                List<String> ops = operands(args);
                if (!ops.isEmpty()) {
                    recorder.write(f, ops.get(ops.size() - 1), null, what, cwd);
                }
            }
            case "mv" -> copy(args, true, what, cwd, p);
            case "rm", "rmdir", "unlink", "shred", "srm", "wipe" -> {
                for (String a : operands(args)) {
                    recorder.delete(f, a, what, cwd);
                }
            }
            case "sed", "perl", "ruby" -> {
                if (p.equals("sed")) {
                    editorWrites(sedScripts(args), what, cwd); // sed 'w FILE', s/a/b/w FILE
                }
                boolean inPlace = args.stream().anyMatch(a -> a.startsWith("-i") || a.startsWith("--in-place")
                        || a.matches("-[A-Za-z]*i[A-Za-z]*"));
                if (inPlace) {
                    List<String> ops = operands(args);
                    String script = ops.isEmpty() ? null : replacement(ops.get(0));
                    for (String file : ops.subList(Math.min(1, ops.size()), ops.size())) {
                        recorder.write(f, file, script, what, cwd);
                    }
                }
            }
            case "dd" -> {
                for (String a : args) {
                    if (a.startsWith("of=")) {
                        recorder.write(f, a.substring(3), null, what, cwd);
                    }
                }
            }
            case "truncate", "touch", "fallocate", "crudini", "chmod", "chown", "chgrp", "chattr", "setfacl", "vi", "vim", "nvim", "nano",
                 "emacs", "ed", "ex", "pico", "joe" -> {
                if (Recorder.isOneOf(p, "ed", "ex", "vi", "vim", "nvim")) {
                    // the editor's own commands write files: ed's input "w FILE", vim -c 'w FILE' / 'saveas FILE'
                    List<String> commands = new ArrayList<>();
                    if (e.stdin() != null) {
                        commands.addAll(List.of(e.stdin().split("\n")));
                    }
                    for (int k = 0; k + 1 < args.size(); k++) {
                        if (args.get(k).equals("-c") || args.get(k).equals("--cmd")) {
                            commands.addAll(List.of(args.get(k + 1).split("\\|")));
                        } else if (args.get(k).startsWith("+") && args.get(k).length() > 1) {
                            commands.add(args.get(k).substring(1));
                        }
                    }
                    editorWrites(commands, what, cwd);
                }
                List<String> ops = operands(args);
                // the mode or owner comes first, unless it looked like an option (chattr -i, chmod -x)
                boolean modeFirst = p.equals("chmod") || p.equals("chown") || p.equals("chgrp") || p.equals("chattr")
                        || p.equals("setfacl");
                boolean modeAsOption = modeFirst && args.stream().filter(a -> !a.equals("-R") && !a.equals("-f")
                        && !a.equals("-v") && !a.equals("--recursive")).findFirst()
                        .map(a -> a.startsWith("-") || a.startsWith("+")).orElse(false);
                int skip = modeFirst && !modeAsOption ? 1 : 0;
                for (int i = skip; i < ops.size(); i++) {
                    recorder.write(f, ops.get(i), null, what, cwd);
                }
            }
            case "curl", "wget", "http", "https", "xh" -> http(p, args, what, cwd);
            case "find" -> find(args, what, cwd);
            case "psql", "pgcli" -> sqlClient(e, args, "c", "command", "f", "file", "d", "dbname", what);
            case "mysql", "mariadb" -> sqlClient(e, args, "e", "execute", "", "", "D", "database", what);
            case "sqlite3" -> {
                sqliteWrites(e, args, what, cwd);
                List<String> ops = operands(args);
                if (ops.size() > 1) {
                    sql(String.join(" ", ops.subList(1, ops.size())), ops.get(0), what);
                } else if (e.stdin() != null) {
                    sql(e.stdin(), ops.isEmpty() ? null : ops.get(0), what);
                }
            }
            case "dropdb" -> {
                List<String> ops = operands(args);
                dropDatabase(ops.isEmpty() ? UNKNOWN : ops.get(ops.size() - 1), what);
            }
            case "mysqladmin" -> {
                int drop = args.indexOf("drop");
                if (drop >= 0) {
                    dropDatabase(drop + 1 < args.size() ? args.get(drop + 1) : UNKNOWN, what);
                }
            }
            case "redis-cli" -> {
                for (String a : args) {
                    if (a.equalsIgnoreCase("flushall") || a.equalsIgnoreCase("flushdb")) {
                        dropDatabase("redis", what);
                    }
                }
            }
            case "cypher-shell" -> {
                String cypher = String.join(" ", operands(args)) + (e.stdin() == null ? "" : " " + e.stdin());
                String folded = Text.fold(cypher);
                if (folded.contains("drop database")) {
                    dropDatabase("neo4j", what);
                } else if (folded.contains("delete") && !folded.contains("where")) {
                    sql("DELETE FROM neo4j", "neo4j", what);
                }
            }
            case "systemctl" -> systemctl(args, what);
            case "service", "rc-service" -> {
                List<String> ops = operands(args);
                if (ops.size() >= 2 && isOneOf(ops.get(1), "stop", "kill", "disable")) {
                    f.stops.add(new Facts.Named(unit(ops.get(0)), what));
                }
            }
            case "supervisorctl" -> {
                List<String> ops = operands(args);
                if (!ops.isEmpty() && isOneOf(ops.get(0), "stop", "remove")) {
                    names(ops.subList(1, ops.size()), f.stops, what);
                }
            }
            case "pkill", "killall", "pgrep-kill" -> {
                List<String> ops = operands(args);
                names(ops, f.stops, what);
            }
            case "docker", "podman", "nerdctl" -> docker(args, what);
            case "docker-compose", "podman-compose" -> compose(args, what);
            case "kubectl" -> {
                List<String> ops = operands(args);
                if (!ops.isEmpty() && (ops.get(0).equals("delete") || ops.get(0).equals("scale"))) {
                    names(ops.subList(1, ops.size()), f.removals, what);
                }
            }
            case "git" -> {
                git(args, what, cwd);
                int sub = firstOperand(args);
                if (sub >= 0 && isOneOf(args.get(sub), "apply", "am")) {
                    patched(e.stdin(), strip(args.subList(sub + 1, args.size()), 1), what + " " + args.get(sub), cwd);
                }
            }
            case "patch" -> {
                patched(e.stdin(), strip(args, -1), what, cwd);
                unparsedWrites(e, args, what, cwd); // the files it names itself (patch FILE < diff, -o, -d)
            }
            case "cmake" -> {
                int prefix = args.indexOf("--prefix");
                if (args.contains("--install") && prefix >= 0 && prefix + 1 < args.size()) {
                    recorder.write(f, args.get(prefix + 1) + "/*", null, what + " --install", cwd); // installs there
                }
            }
            case "nixos-rebuild" -> {
                if (args.stream().anyMatch(a -> isOneOf(a, "switch", "boot", "test"))) {
                    recorder.write(f, "/etc/nixos/configuration.nix", null, what + " applies", null);
                }
            }
            case "alembic", "flyway", "liquibase", "goose", "dbmate", "sqitch", "diesel", "knex", "sequelize",
                 "prisma", "migrate", "atlas" -> {
                if (args.stream().anyMatch(a -> a.contains("upgrade") || a.contains("migrate") || a.equals("up")
                        || a.contains("downgrade") || a.equals("down") || a.contains("deploy") || a.equals("update")
                        || a.contains("apply") || a.equals("run") || a.contains("push"))) {
                    f.migrations.add(new Facts.Named(databaseIn(args), what));
                }
            }
            case "python", "python3", "manage.py", "rails", "rake", "npx", "bin/rails" -> {
                if (args.stream().anyMatch(a -> a.equals("migrate") || a.startsWith("db:migrate")
                        || a.equals("db:rollback"))) {
                    f.migrations.add(new Facts.Named(databaseIn(args), what));
                }
            }
            case "nsenter" -> f.sandboxEscapes.add(new Facts.Named("nsenter", what));
            case "export", "declare", "typeset", "setenv", "launchctl" -> {
            }
            default -> unparsedWrites(e, args, what, cwd);
        }
        if (p.equals("docker") || p.equals("podman")) {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if ((a.equals("-e") || a.equals("--env")) && i + 1 < args.size()) {
                    recorder.setting(f, args.get(i + 1), what);
                } else if (a.startsWith("--env=")) {
                    recorder.setting(f, a.substring(6), what);
                }
            }
        }
        optionSettings(recorder, f, p, args, what);
        if (isOneOf(p, "kubectl", "systemctl", "docker", "podman", "nerdctl", "helm", "oc")) {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.matches("[A-Z_][A-Z0-9_]*=.*")) {
                    recorder.setting(f, a, what); // kubectl set env X=Y, systemctl set-environment X=Y
                } else if ((a.equals("-v") || a.equals("--volume")) && i + 1 < args.size() || a.startsWith("--volume=")) {
                    String[] parts = (a.startsWith("--volume=") ? a.substring(9) : args.get(i + 1)).split(":");
                    if (parts.length >= 2) {
                        recorder.write(f, parts[1], null, what + " mounts " + parts[0] + " over", "/");
                    }
                }
            }
        }
        // options whose value is a file the program writes, whatever else it does (git diff --output=FILE)
        for (String file : Vocabulary.table().filesWritten(e)) {
            recorder.write(f, file, null, what, cwd);
        }
        // options that run another program (vim -c ':!cmd', rsync -e, zip -TT): that program is judged too
        for (String command : Vocabulary.table().commandsRun(e)) {
            if (command.equals(Vocabulary.FROM_INPUT)) {
                f.problem("command", "not understood: " + p + " runs code it reads from its input");
            } else {
                shell(recorder, f, command, what + " runs");
            }
        }
    }

    /** Options whose value is a file or directory the program writes (tar -C, unzip -d, sort -o, ...). */
    private static final Set<String> INTO_DIRECTORY = Set.of("-C", "--directory", "-d", "-t", "--target-directory",
            "--exdir", "--outdir", "--out-dir");
    private static final Set<String> OUTPUT_OPTIONS = Set.of("-C", "--directory", "-d", "-o", "--output", "-O",
            "--output-document", "-t", "--target-directory", "--exdir", "--outdir", "--out-dir", "-f", "--file");

    /**
     * A program that edits files but whose arguments this class does not parse one by one (tar, unzip,
     * patch, zip, split, ...), or a reader run with an in-place flag (yq -i, awk -i inplace): every
     * operand and every output option's value counts as written, content unknown.
     */
    private void unparsedWrites(Shell.Exec e, List<String> args, String what, String cwd) {
        Vocabulary.Effect effect = Vocabulary.table().program(e).effect();
        boolean inPlace = args.stream().anyMatch(a -> a.equals("-i") || a.startsWith("--in-place")
                || a.startsWith("--inplace") || a.equals("inplace")
                || a.startsWith("-i") && a.length() > 2 && !a.startsWith("--"));
        if (effect != Vocabulary.Effect.EDIT && !(effect == Vocabulary.Effect.READ && inPlace)) {
            return;
        }
        if (e.program().equals("tar") || e.program().equals("bsdtar")) {
            tar(args, what, cwd);
            return;
        }
        if (e.program().equals("cpio") && args.stream().anyMatch(a -> a.matches("-[a-zA-Z]*i[a-zA-Z]*")
                || a.equals("--extract"))) {
            recorder.write(f, "./*", null, what, cwd); // extracts into the working directory
        }
        for (String a : args) {
            if (a.startsWith("-o") && a.length() > 2 && (e.program().equals("7z") || e.program().equals("7za"))) {
                recorder.write(f, a.substring(2) + "/*", null, what, cwd); // 7z x -o/dir
            }
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (OUTPUT_OPTIONS.contains(a) && i + 1 < args.size()) {
                // a directory option (-C, -d, -t) writes into the directory, the others name the file written
                boolean directory = INTO_DIRECTORY.contains(a);
                recorder.write(f, args.get(++i) + (directory ? "/*" : ""), null, what, cwd);
            } else if (a.startsWith("--") && a.indexOf('=') > 0 && OUTPUT_OPTIONS.contains(a.substring(0, a.indexOf('=')))) {
                recorder.write(f, a.substring(a.indexOf('=') + 1), null, what, cwd);
            } else if (!a.startsWith("-") && !a.equals("inplace")) {
                recorder.write(f, a, null, what, cwd);
            }
        }
    }

    /**
     * tar creating an archive writes only the archive (-f); extracting writes into -C (or the working
     * directory), and with -P/--absolute-names anywhere the archive says.
     */
    private void tar(List<String> args, String what, String cwd) {
        boolean create = false;
        boolean absolute = false;
        String archive = null;
        String directory = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean cluster = i == 0 && !a.startsWith("-") || a.startsWith("-") && !a.startsWith("--");
            if (cluster && (a.contains("c") || a.contains("r") || a.contains("u") || a.contains("A"))) {
                create = true;
            }
            if (cluster && a.contains("P") || a.equals("--absolute-names")) {
                absolute = true;
            }
            if (a.equals("--create") || a.equals("--append") || a.equals("--update")) {
                create = true;
            }
            if ((a.equals("-C") || a.equals("--directory")) && i + 1 < args.size()) {
                directory = args.get(++i);
            } else if (a.startsWith("--directory=")) {
                directory = a.substring("--directory=".length());
            } else if (cluster && a.endsWith("f") && i + 1 < args.size()) {
                archive = args.get(++i);
            } else if (a.startsWith("--file=")) {
                archive = a.substring("--file=".length());
            }
        }
        if (create) {
            if (archive != null && !archive.equals("-")) {
                recorder.write(f, archive, null, what, cwd);
            }
            return;
        }
        String into = directory == null ? "." : directory;
        for (int i = 0; i < args.size(); i++) { // members named on the command line are written where they say
            String a = args.get(i);
            if (i > 0 && !a.startsWith("-") && !a.equals(archive) && !a.equals(directory)) {
                recorder.write(f, into + "/" + a, null, what, cwd);
            }
        }
        recorder.write(f, absolute ? String.valueOf(Shell.UNKNOWN) : (directory == null ? "." : directory) + "/*", null,
                what, cwd);
    }

    /** The text a sed/perl substitution writes (s/old/new/ writes new); other scripts as they are. */
    private static String replacement(String script) {
        if (script.length() > 3 && script.charAt(0) == 's' && !Character.isLetterOrDigit(script.charAt(1))) {
            String[] parts = script.substring(2).split(java.util.regex.Pattern.quote(String.valueOf(script.charAt(1))), -1);
            if (parts.length >= 2) {
                return parts[1];
            }
        }
        return script;
    }

    private void copy(List<String> args, boolean move, String what, String cwd, String program) {
        List<String> ops = new ArrayList<>();
        String targetDir = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("-t") || a.equals("--target-directory")) && i + 1 < args.size()) {
                targetDir = args.get(++i);
            } else if (a.startsWith("--target-directory=")) {
                targetDir = a.substring("--target-directory=".length());
            } else if (a.startsWith("-") && !a.equals("-")) {
                if ((program.equals("scp") || program.equals("rsync")) && (a.equals("-e") || a.equals("-P")
                        || a.equals("-i") || a.equals("-o"))) {
                    i++;
                }
            } else {
                ops.add(a);
            }
        }
        if (targetDir == null && ops.size() < 2) {
            return;
        }
        List<String> sources = targetDir == null ? ops.subList(0, ops.size() - 1) : ops;
        String dest = targetDir == null ? ops.get(ops.size() - 1) : targetDir;
        if (dest.contains(":") && (program.equals("scp") || program.equals("rsync"))) {
            for (String s : sources) {
                if (Recorder.isSecretFile(PathGlob.canonical(s, recorder.base(cwd)))) {
                    f.execs.add(new Shell.Exec(List.of("curl", "--upload-file", "[secret file " + s + "]", dest),
                            List.of(), null, cwd));
                }
            }
            return;
        }
        for (String s : sources) {
            if (move) {
                recorder.delete(f, s, what, cwd);
            }
            String content = Recorder.secretMarker(s);
            String base = s.substring(s.replaceAll("/+$", "").lastIndexOf('/') + 1).replaceAll("/+$", "");
            String destName = dest.substring(dest.lastIndexOf('/') + 1);
            boolean namesFile = destName.indexOf('.') > 0 && !destName.equals(base); // copy.yaml, c.yaml: a file
            if (targetDir == null && sources.size() == 1 && !dest.endsWith("/") && namesFile) {
                recorder.write(f, dest, content, what, cwd);
            } else if (targetDir != null || sources.size() > 1 || dest.endsWith("/")) {
                recorder.write(f, dest + "/" + base, content, what, cwd);
            } else {
                // dest may be a file or an existing directory: both readings count
                recorder.write(f, dest, content, what, cwd);
                recorder.write(f, dest + "/" + base, content, what, cwd);
            }
        }
    }

    private void http(String program, List<String> args, String what, String cwd) {
        String method = program.startsWith("http") || program.equals("xh") ? (args.isEmpty() ? "" : args.get(0)) : "";
        String url = "";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("-X") || a.equals("--request") || a.equals("--method")) && i + 1 < args.size()) {
                method = args.get(++i);
            } else if (a.startsWith("-X") && a.length() > 2) {
                method = a.substring(2);
            } else if (a.startsWith("--request=") || a.startsWith("--method=")) {
                method = a.substring(a.indexOf('=') + 1);
            } else if ((a.equals("-o") || a.equals("--output") || a.equals("-O") && program.equals("wget")
                    || program.equals("curl") && a.matches("-[a-zA-Z]*o") // a cluster ending in -o (curl -so FILE)
                    || a.equals("--output-document")) && i + 1 < args.size()) {
                String out = args.get(++i);
                if (!out.equals("-") && !NULL_TARGETS.contains(out)) {
                    recorder.write(f, out, null, what, cwd);
                }
            } else if (a.contains("://") || a.matches("[a-z0-9.\\-]+:\\d+/.*")) {
                url = a;
            }
        }
        if (Text.fold(method).equals("delete") && Text.fold(url).contains("/collections/")) {
            String name = url.substring(Text.fold(url).indexOf("/collections/") + "/collections/".length());
            f.ops.add(new Facts.Op("qdrant-mcp.delete_collection", name, List.of(), what));
        }
    }

    private void find(List<String> args, String what, String cwd) {
        List<String> roots = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("-") || a.equals("(") || a.equals("!")) {
                break;
            }
            roots.add(a);
        }
        if (roots.isEmpty()) {
            roots.add(".");
        }
        boolean deletes = args.contains("-delete");
        for (int i = 0; i + 1 < args.size(); i++) {
            if (isOneOf(args.get(i), "-fprint", "-fprint0", "-fprintf", "-fls")) {
                recorder.write(f, args.get(i + 1), null, what + " " + args.get(i), cwd); // find writes its output there
            }
        }
        for (int i = 0; i < args.size(); i++) {
            if ((args.get(i).equals("-exec") || args.get(i).equals("-execdir") || args.get(i).equals("-ok"))
                    && i + 1 < args.size() && isOneOf(Shell.basename(args.get(i + 1)), "rm", "shred", "unlink", "mv")) {
                deletes = true;
            }
        }
        if (deletes) {
            int name = Math.max(args.indexOf("-name"), args.indexOf("-iname"));
            String named = name >= 0 && name + 1 < args.size() ? args.get(name + 1) : null;
            for (String root : roots) {
                String dir = root.replaceAll("/+$", "");
                if (named == null) {
                    recorder.delete(f, dir, what, cwd); // without a filter find -delete removes the root itself too
                }
                // a literal name (constitution.yaml) anywhere below; a pattern (*.pyc) as "files in the root"
                boolean literal = named != null && !PathGlob.isGlob(named) && !args.contains("d");
                recorder.delete(f, dir + (literal ? "/**/" + named : "/*"), what, cwd);
            }
        }
    }

    private void sqlClient(Shell.Exec e, List<String> args, String cmdShort, String cmdLong, String fileShort,
                           String fileLong, String dbShort, String dbLong, String what) {
        String database = null;
        List<String> commands = new ArrayList<>();
        boolean file = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value = i + 1 < args.size() ? args.get(i + 1) : "";
            if (a.equals("-" + cmdShort) || a.equals("--" + cmdLong)) {
                commands.add(value);
                i++;
            } else if (a.startsWith("--" + cmdLong + "=")) {
                commands.add(a.substring(cmdLong.length() + 3));
            } else if (a.startsWith("-" + cmdShort) && a.length() > 2 && !a.startsWith("--")) {
                commands.add(a.substring(2));
            } else if (a.matches("-[A-Za-z]+") && a.endsWith(cmdShort) && i + 1 < args.size()) {
                commands.add(value); // a flag cluster ending in the command option: psql -qAtc 'SQL'
                i++;
            } else if (!fileShort.isEmpty() && (a.equals("-" + fileShort) || a.equals("--" + fileLong))) {
                file = !value.equals("-") && !value.equals("/dev/stdin");
                i++;
            } else if (a.equals("-" + dbShort) || a.equals("--" + dbLong)) {
                database = value;
                i++;
            } else if (a.startsWith("--" + dbLong + "=")) {
                database = a.substring(dbLong.length() + 3);
            } else if (a.startsWith("-") && a.length() == 2 && "hUpPWwH".indexOf(a.charAt(1)) >= 0
                    && !a.equals("-W") && !a.equals("-w")) {
                i++; // -h host, -U user, -p port: options with a value
            } else if (!a.startsWith("-")) {
                positional.add(a);
            }
        }
        if (database == null && !positional.isEmpty()) {
            String first = positional.get(0);
            if (first.contains("://")) {
                int slash = first.indexOf('/', first.indexOf("://") + 3);
                database = slash > 0 ? first.substring(slash + 1).replaceAll("\\?.*", "") : null;
            } else {
                database = first;
            }
        }
        for (String c : commands) {
            sql(c, database, what);
        }
        if (file) {
            f.problem("command", what + " runs an SQL file that cannot be inspected");
            f.migrations.add(new Facts.Named(database == null ? UNKNOWN : Text.fold(database), what + " -f"));
        }
        if (commands.isEmpty() && !file && e.stdin() != null) {
            sql(e.stdin(), database, what);
        } else if (commands.isEmpty() && !file) {
            f.problem("command", what + " reads SQL from its input (a file or a pipe), which cannot be inspected");
        }
    }

    private void sql(String text, String database, String what) {
        sql(recorder, f, text, database == null ? null : Text.fold(database), what, "SQL in " + what);
    }

    private void dropDatabase(String db, String what) {
        recorder.dropDatabase(f, db, what);
    }

    private void systemctl(List<String> args, String what) {
        List<String> ops = operands(args);
        if (ops.isEmpty()) {
            return;
        }
        String verb = ops.get(0);
        if (isOneOf(verb, "stop", "kill", "disable", "mask", "isolate", "freeze")) {
            for (String unit : ops.subList(1, ops.size())) {
                String name = unit(unit);
                f.stops.add(new Facts.Named(name, what));
                if (isNetworkUnit(name)) {
                    f.execs.add(new Shell.Exec(List.of("iptables", "(systemctl " + verb + " " + name + ")"),
                            List.of(), null, null));
                }
            }
        }
        if (isOneOf(verb, "halt", "poweroff", "reboot", "rescue", "emergency")) {
            f.stops.add(new Facts.Named(UNKNOWN, what + " " + verb));
        }
    }

    private static boolean isNetworkUnit(String unit) {
        return unit.contains("firewall") || unit.contains("nftables") || unit.contains("iptables") || unit.equals("ufw")
                || unit.contains("network") || unit.contains("wpa_supplicant") || unit.contains("dhcpcd");
    }

    private static String unit(String unit) {
        String u = Text.fold(unit);
        return u.endsWith(".service") ? u.substring(0, u.length() - ".service".length()) : u;
    }

    private void docker(List<String> args, String what) {
        List<String> ops = operands(args);
        if (ops.isEmpty()) {
            return;
        }
        if (ops.get(0).equals("compose")) {
            compose(args.subList(args.indexOf("compose") + 1, args.size()), what);
            return;
        }
        List<String> rest = ops;
        if (isOneOf(rest.get(0), "container", "service", "stack") && rest.size() > 1) {
            rest = rest.subList(1, rest.size());
        }
        String verb = rest.get(0);
        List<String> names = rest.subList(1, rest.size());
        switch (verb) {
            case "stop", "kill", "pause" -> names(names, f.stops, what);
            case "rm", "remove" -> {
                names(names, f.removals, what);
                names(names, f.stops, what);
            }
            case "prune" -> {
                f.removals.add(new Facts.Named(UNKNOWN, what + " prune"));
            }
            case "system" -> {
                if (names.contains("prune")) {
                    f.removals.add(new Facts.Named(UNKNOWN, what + " system prune"));
                }
            }
            case "update" -> {
                if (args.stream().anyMatch(a -> a.startsWith("--restart"))) {
                    return;
                }
            }
            case "network" -> {
                if (!names.isEmpty() && isOneOf(names.get(0), "rm", "create", "connect", "disconnect", "prune")) {
                    f.execs.add(new Shell.Exec(List.of("iptables", "(docker network " + names.get(0) + ")"),
                            List.of(), null, null));
                }
            }
            case "run", "create" -> {
                for (String a : args) {
                    if (a.equals("--privileged") || a.startsWith("--net=host") || a.startsWith("--network=host")
                            || a.equals("--pid=host") || a.startsWith("--cap-add") || a.startsWith("/:/")
                            || a.startsWith("/var/run/docker.sock")) {
                        f.sandboxEscapes.add(new Facts.Named(a, what));
                    }
                }
                int net = args.indexOf("--network");
                if (net >= 0 && net + 1 < args.size() && args.get(net + 1).equals("host")) {
                    f.sandboxEscapes.add(new Facts.Named("--network host", what));
                }
            }
            default -> {
            }
        }
    }

    private void compose(List<String> args, String what) {
        List<String> ops = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("-f") || a.equals("--file") || a.equals("-p") || a.equals("--project-name")
                    || a.equals("--profile") || a.equals("--env-file") || a.equals("-t") || a.equals("--timeout"))
                    && i + 1 < args.size()) {
                i++;
            } else if (!a.startsWith("-")) {
                ops.add(a);
            }
        }
        if (ops.isEmpty()) {
            return;
        }
        String verb = ops.get(0);
        List<String> services = ops.subList(1, ops.size());
        List<String> named = services.isEmpty() ? List.of(UNKNOWN) : services;
        switch (verb) {
            case "stop", "kill", "pause" -> names(named, f.stops, what);
            case "down" -> {
                names(List.of(UNKNOWN), f.removals, what + " down");
                names(List.of(UNKNOWN), f.stops, what + " down");
            }
            case "rm" -> {
                names(named, f.removals, what);
                names(named, f.stops, what);
            }
            default -> {
            }
        }
    }

    /**
     * The files a patch read from the input changes ({@code patch -p1 <<EOF}, {@code git apply <<EOF}): each
     * {@code ---}/{@code +++} header and {@code diff --git} line names one, with {@code strip} leading
     * directories dropped (-1: only the file's name is kept, as patch does without -p).
     */
    private void patched(String diff, int strip, String what, String cwd) {
        if (diff == null) {
            return;
        }
        int found = 0;
        for (String line : diff.split("\n")) {
            List<String> names = new ArrayList<>(2);
            int drop = strip;
            if (line.startsWith("--- ") || line.startsWith("+++ ")) {
                names.add(line.substring(4).split("\t")[0].strip());
            } else if (line.startsWith("diff --git ")) {
                names.addAll(List.of(line.substring(11).strip().split("\\s+")));
            } else if (line.startsWith("rename to ") || line.startsWith("rename from ")) {
                names.add(line.substring(line.indexOf(' ', 7) + 1).strip());
                drop = 0; // git's rename lines carry no a/ b/ prefix
            }
            for (String name : names) {
                if (name.isEmpty() || name.equals("/dev/null")) {
                    continue;
                }
                if (++found > Budget.MAX_WORDS) {
                    throw new Budget.Exceeded("a patch naming more than " + Budget.MAX_WORDS + " files");
                }
                String[] parts = name.split("/+");
                String file = drop < 0 ? parts[parts.length - 1]
                        : String.join("/", java.util.Arrays.asList(parts).subList(Math.min(drop, parts.length - 1), parts.length));
                recorder.write(f, file, null, what + " (a patch)", cwd);
            }
        }
    }

    /** An editor command that writes a file: sed's w (also s///w), ed/ex/vim's w, wq, x, saveas. */
    private static final java.util.regex.Pattern EDITOR_WRITE = java.util.regex.Pattern.compile(
            "(?:^|[;}\\n]|/[gpiIemM0-9]*)\\s*:?\\s*(?:[0-9,$.]*\\s*)(?:w|W|wq|x|wq!|w!|sav|saveas|write)!?\\s+([^\\s;}|]+)");

    private void editorWrites(List<String> commands, String what, String cwd) {
        int found = 0;
        for (String command : commands) {
            java.util.regex.Matcher m = EDITOR_WRITE.matcher(command);
            while (m.find()) {
                if (++found > Budget.MAX_WORDS) {
                    throw new Budget.Exceeded("an editor script writing more than " + Budget.MAX_WORDS + " files");
                }
                if (!m.group(1).startsWith("/dev/std")) {
                    recorder.write(f, m.group(1), null, what + " (its own write command)", cwd);
                }
            }
        }
    }

    /** sqlite3's dot-commands that write a file: .output FILE, .once FILE, .save FILE, .backup [DB] FILE. */
    private static final java.util.regex.Pattern SQLITE_WRITE = java.util.regex.Pattern.compile(
            "(?m)^\\s*\\.(?:output|once|save|backup)\\s+(?:main\\s+|temp\\s+)?([^\\s;]+)");

    private void sqliteWrites(Shell.Exec e, List<String> args, String what, String cwd) {
        List<String> texts = new ArrayList<>(args);
        if (e.stdin() != null) {
            texts.add(e.stdin());
        }
        for (String t : texts) {
            java.util.regex.Matcher m = SQLITE_WRITE.matcher(t);
            while (m.find()) {
                recorder.write(f, m.group(1).replaceAll("^['\"]|['\"]$", ""), null, what + " (.output)", cwd);
            }
        }
    }

    /** sed's scripts: each -e SCRIPT (--expression=), or the first operand when there is none. */
    private static List<String> sedScripts(List<String> args) {
        List<String> scripts = new ArrayList<>();
        for (int k = 0; k < args.size(); k++) {
            String a = args.get(k);
            if ((a.equals("-e") || a.equals("--expression")) && k + 1 < args.size()) {
                scripts.add(args.get(++k));
            } else if (a.startsWith("--expression=")) {
                scripts.add(a.substring(13));
            }
        }
        if (scripts.isEmpty()) {
            List<String> ops = operands(args);
            if (!ops.isEmpty()) {
                scripts.add(ops.get(0));
            }
        }
        return scripts;
    }

    /** The -pN (--strip=N) of patch or git apply, or {@code otherwise}. */
    private static int strip(List<String> args, int otherwise) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String n = a.equals("-p") && i + 1 < args.size() ? args.get(i + 1)
                    : a.startsWith("--strip=") ? a.substring(8) : a.startsWith("-p") ? a.substring(2) : null;
            if (n != null && n.matches("\\d{1,3}")) {
                return Integer.parseInt(n);
            }
        }
        return otherwise;
    }

    /** The index of git's subcommand: the first argument past git's own options. */
    private static int firstOperand(List<String> args) {
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("-")) {
            i += isOneOf(args.get(i), "-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path") ? 2 : 1;
        }
        return i < args.size() ? i : -1;
    }

    private void git(List<String> args, String what, String cwd) {
        int i = 0;
        String tree = null;
        while (i < args.size() && args.get(i).startsWith("-")) {
            String a = args.get(i);
            if (isOneOf(a, "-C", "--work-tree") && i + 1 < args.size()) {
                tree = tree == null || a.equals("--work-tree") ? args.get(i + 1) : tree + "/" + args.get(i + 1);
            } else if (a.startsWith("--work-tree=")) {
                tree = a.substring("--work-tree=".length());
            }
            i += isOneOf(a, "-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path") ? 2 : 1;
        }
        if (i >= args.size()) {
            return;
        }
        String sub = args.get(i);
        List<String> rest = args.subList(i + 1, args.size());
        if (tree != null && isOneOf(sub, "clean", "checkout", "switch", "restore", "reset", "stash", "merge", "pull",
                "rebase", "cherry-pick", "revert", "apply", "am", "rm", "mv")) {
            // git -C /srv/hydra clean -fdx, --work-tree=/ checkout: the files changed are anywhere in that tree,
            // unless the paths are named after -- (checkout HEAD -- etc/hosts: that file of the tree)
            String root = tree.replaceAll("/+$", "");
            int dashdash = rest.indexOf("--");
            List<String> named = dashdash >= 0 ? rest.subList(dashdash + 1, rest.size()) : List.of();
            if (named.isEmpty()) {
                recorder.write(f, root + "/**", null, what + " " + sub + " in " + tree, cwd);
            }
            for (String file : named) {
                recorder.write(f, file.startsWith("/") ? file : root + "/" + file, null, what + " " + sub + " in " + tree, cwd);
            }
        }
        switch (sub) {
            case "push" -> push(rest, what);
            case "checkout", "switch" -> {
                int dashdash = rest.indexOf("--");
                if (dashdash >= 0) {
                    for (String file : rest.subList(dashdash + 1, rest.size())) {
                        recorder.write(f, file, null, what + " checkout", cwd);
                    }
                    return;
                }
                List<String> ops = new ArrayList<>();
                for (int k = 0; k < rest.size(); k++) {
                    String a = rest.get(k);
                    if (isOneOf(a, "-b", "-B", "-c", "-C", "--orphan") && k + 1 < rest.size()) {
                        branch = Text.fold(rest.get(++k));
                        return;
                    }
                    if (!a.startsWith("-")) {
                        ops.add(a);
                    }
                }
                if (ops.size() == 1) {
                    branch = Text.fold(ops.get(0));
                } else if (ops.size() > 1) {
                    for (String file : ops.subList(1, ops.size())) {
                        recorder.write(f, file, null, what + " checkout", cwd);
                    }
                }
            }
            case "rm" -> {
                for (String file : operands(rest)) {
                    recorder.delete(f, file, what + " rm", cwd);
                }
            }
            case "mv" -> copy(rest, true, what + " mv", cwd, "mv");
            case "restore" -> {
                for (String file : operands(rest)) {
                    recorder.write(f, file, null, what + " restore", cwd);
                }
            }
            case "add", "stage" -> {
                for (String file : operands(rest)) {
                    staged.add(PathGlob.canonical(file, recorder.base(cwd)));
                }
            }
            case "commit" -> {
                StringBuilder message = new StringBuilder();
                List<String> files = new ArrayList<>(staged);
                for (int k = 0; k < rest.size(); k++) {
                    String a = rest.get(k);
                    if ((a.equals("-m") || a.equals("--message")) && k + 1 < rest.size()) {
                        message.append(rest.get(++k)).append('\n');
                    } else if (a.startsWith("--message=")) {
                        message.append(a.substring(10)).append('\n');
                    } else if (a.startsWith("-m") && a.length() > 2) {
                        message.append(a.substring(2)).append('\n');
                    } else if (!a.startsWith("-")) {
                        files.add(PathGlob.canonical(a, recorder.base(cwd)));
                    }
                }
                f.commits.add(new Facts.Commit(files, Text.decode(message.toString()), what));
                for (String file : files) {
                    f.writes.add(new Facts.Write(file, null, what + " (commit)", false));
                }
            }
            case "clean" -> {
                if (rest.stream().anyMatch(a -> a.startsWith("-") && a.contains("f"))) {
                    recorder.delete(f, "*", what + " clean", cwd);
                }
            }
            default -> {
            }
        }
    }

    private void push(List<String> rest, String what) {
        List<String> ops = new ArrayList<>();
        boolean all = false;
        boolean delete = false;
        for (int k = 0; k < rest.size(); k++) {
            String a = rest.get(k);
            if (isOneOf(a, "--all", "--mirror", "--branches")) {
                all = true;
            } else if (isOneOf(a, "-d", "--delete")) {
                delete = true;
            } else if (isOneOf(a, "--repo", "-o", "--push-option", "--receive-pack", "--exec")) {
                k++;
            } else if (!a.startsWith("-")) {
                ops.add(a);
            }
        }
        String remote = ops.isEmpty() ? "" : ops.get(0);
        if (all || ops.size() < 2) {
            f.pushes.add(new Facts.Push(remote, all ? Facts.Push.UNKNOWN : branch, what));
            return;
        }
        for (String refspec : ops.subList(1, ops.size())) {
            String dest = delete ? Text.fold(refspec) : Extractor.refDestination(Text.fold(refspec), branch);
            f.pushes.add(new Facts.Push(remote, dest, what));
        }
    }

    private void names(List<String> names, List<Facts.Named> into, String what) {
        for (String n : names) {
            if (!n.startsWith("-")) {
                into.add(new Facts.Named(Text.fold(n), what));
            }
        }
    }

    private static String databaseIn(List<String> args) {
        for (String a : args) {
            String folded = Text.fold(a);
            int slash = folded.lastIndexOf('/');
            if (folded.contains("://") && slash > folded.indexOf("://") + 2) {
                return folded.substring(slash + 1).replaceAll("\\?.*", "");
            }
        }
        return UNKNOWN;
    }

    /** Arguments that are not options. */
    public static List<String> operands(List<String> args) {
        List<String> out = new ArrayList<>(args.size());
        boolean end = false;
        for (String a : args) {
            if (!end && a.equals("--")) {
                end = true;
            } else if (end || !a.startsWith("-") || a.equals("-")) {
                out.add(a);
            }
        }
        return out;
    }

    private static boolean isOneOf(String value, String... options) {
        return Recorder.isOneOf(value, options);
    }
}
