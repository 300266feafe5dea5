package dev.hydra.constitution.rules;

import dev.hydra.constitution.rules.facts.Facts;
import dev.hydra.constitution.rules.facts.Vocabulary;
import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.text.PathGlob;
import dev.hydra.topics.config.SandboxSettings;
import dev.hydra.topics.tools.ToolVocabulary;
import dev.hydra.topics.events.Decision;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The constitution's {@code autonomous_operations} as an allowlist: a tool call that no constraint
 * stops is ALLOWed only when every effect it has is understood and covered by an entry. The tool
 * must be named by an entry's {@code tools} (path tools, which only read, write, delete or move
 * files, are judged by their paths alone); every file it writes, deletes or moves must lie under an
 * entry's {@code paths} or {@code files} (an entry that names tools covers paths for those tools
 * only); every program a command runs must be in the {@link Vocabulary} with an effect the sandbox
 * contains (reading, editing files, building and running the workspace's code). Anything else needs
 * a person, with a reason that says what was not understood or not covered.
 */
final class Allowlist {
    /** Constraint named on verdicts for effects no autonomous operation covers. */
    static final String NOT_AUTONOMOUS = "not_autonomous";
    /** Constraint named on verdicts for shell calls while the sandbox is off. */
    static final String SANDBOX_OFF = "sandbox_off";

    /** One autonomous operation: the tools it names and the paths it covers (for those tools, or any). */
    record Operation(String name, List<Pattern> tools, List<PathGlob> paths, Pattern anyTool) {
        Operation(String name, List<Pattern> tools, List<PathGlob> paths) {
            // one pattern for all its tools: a check asks every operation, and one match beats one per tool
            this(name, List.copyOf(tools), List.copyOf(paths), tools.isEmpty() ? null : Pattern.compile(
                    tools.stream().map(t -> "(?:" + t.pattern() + ")").collect(java.util.stream.Collectors.joining("|"))));
        }

        boolean namesTool(String tool) {
            return anyTool != null && anyTool.matcher(tool).matches();
        }

        boolean coversWriteBy(String tool, String path, boolean glob) {
            if (!tools.isEmpty() && (tool == null || !namesTool(tool))) {
                return false;
            }
            String p = glob ? PathGlob.fixedDirectory(path) + "/x" : path;
            return paths.stream().anyMatch(g -> g.matches(p));
        }
    }

    /** Files in a repository that make git run programs: the workspace is also used by git on the host. */
    /** Hydra's configuration files: hydra*.yaml, compose files, env files. */
    private static final Pattern HYDRA_CONFIG_FILE = Pattern.compile(
            "/(?:hydra[^/]*\\.ya?ml|(?:docker-)?compose[^/]*\\.ya?ml|\\.env[^/]*|[^/]*\\.env)$");
    /**
     * Settings that weaken the sandbox every shell.run relies on (crews.sandbox: none, its limits, the
     * uid it runs as, the shell timeout): Hydra's defences are a person's to change.
     */
    private static final Pattern SANDBOX_SETTING = Pattern.compile("(?i)hydra_crew_sandbox|hydra_crew_shell_timeout"
            + "|\\bsandbox(?:uid|cpu|memorymb|processes|filesizemb)?\\s*[:=]|\\bshelltimeout\\s*[:=]");
    /**
     * A repository's CI definitions: once pushed (a feature branch needs no person), the CI service runs
     * what they name on its own runners, outside the sandbox, with the repository's secrets.
     */
    private static final Pattern CI_FILES = Pattern.compile("/\\.github/(?:workflows|actions)/|/\\.gitlab-ci\\.ya?ml$"
            + "|/\\.gitlab/ci/|/jenkinsfile$|/\\.circleci/|/\\.travis\\.ya?ml$|/azure-pipelines\\.ya?ml$"
            + "|/\\.drone\\.ya?ml$|/bitbucket-pipelines\\.ya?ml$|/\\.buildkite/|/\\.woodpecker(?:/|\\.ya?ml$)");
    /** A HYDRA_* variable set in an env file or a compose file: Hydra's own settings (its LLM, broker, webhooks). */
    private static final Pattern HYDRA_VARIABLE = Pattern.compile("(?i)\\bhydra_[a-z0-9_]+\\s*[:=]");
    /**
     * hydra.yaml settings whose value Hydra runs on the host or sends its data to: services' restart
     * commands (run outside the sandbox), MCP servers' commands and URLs, webhooks, endpoints, the broker.
     */
    private static final Pattern HOST_SETTING = Pattern.compile("(?im)^[\\s-]*[\"']?(?:restart|command|mcpservers|url"
            + "|baseurl|approvalwebhook|webhook|bootstrap|bootstrapservers|endpoint)[\"']?\\s*:");
    private static final Pattern HOST_GIT_FILES = Pattern.compile(
            "/\\.git/(?:hooks(?:/|$)|config$|info/attributes$)|/\\.gitattributes$|/\\.gitmodules$|/\\.git$");
    /** git settings whose value is a program, a URL rewrite or another file of settings. */
    private static final Pattern HOST_GIT_KEYS = Pattern.compile(
            "(?i)^(?:core\\.(?:hookspath|fsmonitor|pager|editor|sshcommand|gitproxy|askpass|attributesfile|worktree)"
            + "|alias\\.|url\\..*\\.(?:insteadof|pushinsteadof)|remote\\..*\\.(?:url|pushurl|receivepack|uploadpack)"
            + "|filter\\.|diff\\..*\\.(?:command|textconv)|diff\\.external|merge\\..*\\.driver|credential\\."
            + "|include\\.|includeif\\.|sequence\\.editor|gpg\\.program|uploadpack\\.|protocol\\.)");

    /** A git setting made on the command line (-c) or with git config that names a program, or null. */
    private static String hostGitConfig(Shell.Exec e) {
        if (!e.program().equals("git")) {
            return null;
        }
        List<String> args = e.argv().subList(1, e.argv().size());
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String key = null;
            if ((a.equals("-c") || a.equals("--config-env")) && i + 1 < args.size()) {
                key = args.get(i + 1);
            } else if (a.equals("config")) {
                for (int k = i + 1; k < args.size() && key == null; k++) {
                    if (!args.get(k).startsWith("-")) {
                        key = args.get(k);
                    }
                }
            }
            if (key != null && HOST_GIT_KEYS.matcher(key).find()) {
                return key.replaceAll("=.*", "");
            }
        }
        return null;
    }

    private final List<Operation> operations;
    private final SandboxSettings.Mode sandbox;
    private final ToolVocabulary tools;

    Allowlist(List<Operation> operations, SandboxSettings.Mode sandbox) {
        this(operations, sandbox, ToolVocabulary.standard());
    }

    private Allowlist(List<Operation> operations, SandboxSettings.Mode sandbox, ToolVocabulary tools) {
        this.operations = List.copyOf(operations);
        this.sandbox = sandbox;
        this.tools = tools;
    }

    Allowlist withSandbox(SandboxSettings.Mode mode) {
        return new Allowlist(operations, mode, tools);
    }

    Allowlist withTools(ToolVocabulary vocabulary) {
        return new Allowlist(operations, sandbox, vocabulary);
    }

    /** Whether some entry names the tool (an unknown tool may still be named). */
    boolean namesTool(String tool) {
        return naming(tool).isPresent();
    }

    /** The first entry naming the tool, itself or through its kind. */
    java.util.Optional<String> naming(String tool) {
        return operations.stream().filter(o -> o.namesTool(tool) || tools.kindName(tool).filter(o::namesTool).isPresent())
                .map(Operation::name).findFirst();
    }

    /** Null when every effect is covered, else the ruling that says what is not. */
    Ruling uncovered(Facts f) {
        if (f.tool == null) {
            return null; // a task proposes work; the tool calls that do it are judged one by one
        }
        if (f.sandboxed && sandbox == SandboxSettings.Mode.NONE) {
            return approval(SANDBOX_OFF, "the sandbox is off (crews.sandbox: none): shell commands need a person");
        }
        // the file tools are judged by the paths they touch, whoever serves them
        boolean pathTool = tools.find(f.tool).filter(tool -> tool.effect().onFiles()).isPresent();
        if (!pathTool && !namesTool(f.tool)) {
            return approval(NOT_AUTONOMOUS, f.tool + " is not an autonomous operation (no autonomous_operations entry "
                    + "names it)");
        }
        for (Shell.Exec e : f.execs) {
            if (e.argv().isEmpty()) {
                continue;
            }
            Vocabulary.Program p = Vocabulary.table().program(e);
            if (!p.understood() && isWorkspaceScript(e, f)) {
                continue;
            }
            if (!p.understood()) {
                return approval(NOT_AUTONOMOUS, "not understood: the constitution does not know what '" + p.shown()
                        + "' does");
            }
            if (!p.effect().contained()) {
                return approval(NOT_AUTONOMOUS, p.shown() + " " + p.effect().describe());
            }
            String hostGit = hostGitConfig(e);
            if (hostGit != null) {
                return approval(NOT_AUTONOMOUS, "git configuration " + hostGit + " names a program git runs, also "
                        + "when git-mcp runs git on the host");
            }
        }
        for (Facts.Write w : f.writes) {
            if (!w.delete() && w.content() != null && HYDRA_CONFIG_FILE.matcher(w.path()).find()) {
                if (SANDBOX_SETTING.matcher(w.content()).find()) {
                    return approval(NOT_AUTONOMOUS, w.describe() + ": it changes the sandbox shell commands run in "
                            + "(crews.sandbox, its limits or timeout), one of Hydra's defences");
                }
                java.util.regex.Matcher hydra = HYDRA_VARIABLE.matcher(w.content());
                java.util.regex.Matcher host = w.path().matches(".*/hydra[^/]*\\.ya?ml$") ? HOST_SETTING.matcher(w.content())
                        : null;
                if (hydra.find() || host != null && host.find()) {
                    return approval(NOT_AUTONOMOUS, w.describe() + ": it changes Hydra's own configuration (a program "
                            + "Hydra runs on the host, a service it reaches or one of its settings)");
                }
            }
            if (!w.delete() && CI_FILES.matcher(w.path()).find()) {
                return approval(NOT_AUTONOMOUS, w.describe() + ": CI runs what it names on its own runners, outside "
                        + "the sandbox and with the repository's secrets, once it is pushed");
            }
            if (!w.delete() && HOST_GIT_FILES.matcher(w.path()).find()) {
                return approval(NOT_AUTONOMOUS, w.describe() + ": git runs what it names (hooks, filters, "
                        + "configuration), also when git-mcp runs git on the host");
            }
            if (operations.stream().noneMatch(o -> o.coversWriteBy(f.tool, w.path(), w.glob())
                    || tools.kindName(f.tool).filter(kind -> o.coversWriteBy(kind, w.path(), w.glob())).isPresent())) {
                return approval(NOT_AUTONOMOUS, w.describe() + ", outside the paths of every autonomous operation");
            }
        }
        return null;
    }

    /**
     * A program run by its path inside the workspace (./build.sh, /workspace/run_tests.py): the
     * workspace's own code, run in the sandbox, unless this same command put it there without its
     * content being known (a copied or linked system binary such as cp /usr/sbin/iptables ./fw).
     */
    private boolean isWorkspaceScript(Shell.Exec e, Facts f) {
        String argv0 = e.argv().get(0);
        if (!f.sandboxed || argv0.indexOf('/') < 0 || argv0.indexOf(Shell.UNKNOWN) >= 0) {
            return false;
        }
        String path = PathGlob.canonical(argv0, e.cwd() == null ? SandboxSettings.WORKSPACE_ROOT
                : PathGlob.canonical(e.cwd(), SandboxSettings.WORKSPACE_ROOT));
        if (!path.startsWith(SandboxSettings.WORKSPACE_ROOT + "/") || PathGlob.isGlob(path)) {
            return false;
        }
        for (Facts.Write w : f.writes) {
            boolean putThere = !w.via().contains("(chmod") && !w.via().contains("(touch");
            if (w.content() == null && !w.delete() && putThere && (w.path().equals(path) || w.glob())) {
                return false;
            }
        }
        return true;
    }

    private static Ruling approval(String constraint, String why) {
        return new Ruling(Decision.NEEDS_APPROVAL, constraint, why);
    }
}
