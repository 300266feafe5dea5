package dev.hydra.crew.tools;

import static dev.hydra.topics.config.SandboxSettings.WORKSPACE_ROOT;

import dev.hydra.crew.CommandRunner;
import dev.hydra.crew.sandbox.Sandbox;
import dev.hydra.crew.sandbox.SandboxLimits;
import dev.hydra.topics.config.SandboxSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hydra's built-in tools on one workspace, which agents, the constitution and the sandbox all name
 * {@code /workspace}: files ({@code filesystem-mcp}), a shell ({@code shell.run}) and git
 * ({@code git-mcp}). File tools take {@code /workspace/...} or relative paths, map them onto the host
 * directory and check them after canonicalization (symbolic links included), so {@code ../} or a link
 * cannot reach outside it; results and errors speak of {@code /workspace/...}, never of the host
 * directory. Every command, git's included, runs in the {@link Sandbox}, except {@code git push}, which
 * needs the network and is the constitution's to judge.
 */
public final class WorkspaceTools {
    private static final int MAX_READ_CHARS = 100_000;
    /** What {@code git push} runs with, whatever the workspace repository's config says (see {@link #push}). */
    private static final List<String> PUSH_SETTINGS = List.of("core.hooksPath=/dev/null", "core.sshCommand=ssh",
            "core.askPass=", "credential.helper=", "core.fsmonitor=false", "core.alternateRefsCommand=",
            "push.gpgSign=false", "protocol.allow=never", "protocol.https.allow=always", "protocol.ssh.allow=always");

    private final Path root;
    private final Sandbox sandbox;
    private final SandboxLimits limits;
    private final Path pushHome;

    /**
     * @param privateDir a directory of the executor's own (never the workspace), for the sandbox's files
     */
    public WorkspaceTools(Path root, SandboxSettings.Mode mode, Path privateDir, SandboxLimits limits)
            throws IOException {
        Files.createDirectories(root);
        this.root = root.toRealPath();
        this.limits = limits;
        this.pushHome = Files.createDirectories(privateDir.resolve("push-home"));
        this.sandbox = Sandbox.open(mode, this.root, privateDir, limits);
    }

    /** The host directory seen as /workspace. */
    public Path root() {
        return root;
    }

    /** Why shell and git tools are refused, or empty when they run. */
    public Optional<String> sandboxUnavailable() {
        return sandbox.unavailable();
    }

    /** True if this class runs {@code server.tool}. */
    public static boolean handles(String server) {
        return server.equals(ToolCatalog.FILESYSTEM) || server.equals(ToolCatalog.SHELL) || server.equals(ToolCatalog.GIT);
    }

    public String run(String server, String tool, Map<String, Object> arguments)
            throws ToolFailure, InterruptedException {
        try {
            return switch (server + "." + tool) {
                case "filesystem-mcp.read_file" -> read(text(arguments, "path"));
                case "filesystem-mcp.write_file" -> write(text(arguments, "path"), text(arguments, "content"));
                case "filesystem-mcp.delete_file" -> delete(text(arguments, "path"));
                case "filesystem-mcp.move_file" -> move(text(arguments, "source"), text(arguments, "destination"));
                case "shell.run" -> command(List.of("sh", "-c", text(arguments, "command")));
                case "git-mcp.status" -> git(List.of("status", "--short", "--branch"));
                case "git-mcp.diff" -> git(List.of("diff"));
                case "git-mcp.checkout" -> checkout(text(arguments, "branch"));
                case "git-mcp.commit" -> commit(text(arguments, "message"), arguments.get("files"));
                case "git-mcp.push" -> push(text(arguments, "remote"), text(arguments, "branch"));
                default -> throw new ToolFailure("unknown built-in tool " + server + "." + tool);
            };
        } catch (NoSuchFileException e) {
            throw new ToolFailure("no such file: " + shown(Path.of(e.getFile())));
        } catch (IOException e) {
            throw new ToolFailure(e.getClass().getSimpleName() + ": " + hideHost(e.getMessage()));
        }
    }

    /** The canonical workspace path of {@code path}, or a failure if it leads outside the workspace. */
    public Path resolve(String path) throws ToolFailure, IOException {
        String inside = path.equals(WORKSPACE_ROOT) ? "" : path.startsWith(WORKSPACE_ROOT + "/")
                ? path.substring(WORKSPACE_ROOT.length() + 1) : path;
        Path candidate = Path.of(inside);
        if (candidate.isAbsolute()) {
            throw new ToolFailure("path " + path + " is outside the workspace (use " + WORKSPACE_ROOT
                    + "/… or a path relative to it)");
        }
        Path resolved = root.resolve(candidate).normalize();
        // Canonicalize the deepest existing ancestor: a symbolic link anywhere on the way is followed.
        Path existing = resolved;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        Path real = existing == null ? resolved : existing.toRealPath().resolve(existing.relativize(resolved));
        if (!real.normalize().startsWith(root)) {
            throw new ToolFailure("path " + path + " is outside the workspace");
        }
        return real.normalize();
    }

    private String read(String path) throws ToolFailure, IOException {
        Path file = ordinary(resolve(path), path);
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            // a UTF-8 character is at most 4 bytes: enough for MAX_READ_CHARS, never the whole of a huge file
            text = new String(in.readNBytes(4 * MAX_READ_CHARS + 1), StandardCharsets.UTF_8);
        }
        return text.length() <= MAX_READ_CHARS ? text : text.substring(0, MAX_READ_CHARS) + "…";
    }

    /**
     * The file tools run as the executor, outside the sandbox, on files the sandbox's code could have
     * made: a FIFO would hang the executor, and a second hard link could be a file from elsewhere.
     */
    private Path ordinary(Path file, String path) throws ToolFailure, IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return file;
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                || (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) > 1) {
            throw new ToolFailure(path + " is not an ordinary file of the workspace (a directory, FIFO, device or "
                    + "a file with other hard links)");
        }
        return file;
    }

    private String write(String path, String content) throws ToolFailure, IOException {
        Path file = ordinary(resolve(path), path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        adopt(file);
        return "wrote " + content.length() + " characters to " + shown(file);
    }

    private String delete(String path) throws ToolFailure, IOException {
        Path file = resolve(path);
        if (file.equals(root)) {
            throw new ToolFailure("refusing to delete the workspace root");
        }
        Files.delete(file);
        return "deleted " + shown(file);
    }

    private String move(String source, String destination) throws ToolFailure, IOException {
        Path from = resolve(source);
        Path to = resolve(destination);
        Files.createDirectories(to.getParent());
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        adopt(to);
        return "moved " + shown(from) + " to " + shown(to);
    }

    private String checkout(String branch) throws ToolFailure, InterruptedException {
        return git(List.of("checkout", "-B", branch));
    }

    private String commit(String message, Object files) throws ToolFailure, InterruptedException, IOException {
        List<String> add = new ArrayList<>(List.of("add", "--"));
        if (files instanceof List<?> list && !list.isEmpty()) {
            for (Object f : list) {
                add.add(root.relativize(resolve(String.valueOf(f))).toString());
            }
        } else {
            add.add(".");
        }
        git(add);
        return git(List.of("commit", "-m", message));
    }

    private String git(List<String> arguments) throws ToolFailure, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("git", "-c", "user.name=Hydra", "-c", "user.email=hydra@localhost"));
        argv.addAll(arguments);
        return command(argv);
    }

    private String command(List<String> argv) throws ToolFailure, InterruptedException {
        Optional<String> refused = sandbox.unavailable();
        if (refused.isPresent()) {
            throw new ToolFailure("refused: " + refused.get());
        }
        return outcome(sandbox.run(argv));
    }

    /**
     * Outside the sandbox: a push needs the network. But the repository is the agents' to shape, and git
     * runs programs its configuration names: hooks, ssh and askpass commands, credential helpers, a
     * local remote's receive-pack (with that repository's hooks). So: no hooks, only the https and ssh
     * transports, every such program forced back to git's own, no global or system config, a HOME
     * outside the workspace (ssh reads ~/.ssh/config), and no option smuggled in as the remote or branch.
     */
    private String push(String remote, String branch) throws ToolFailure, InterruptedException {
        for (String value : List.of(remote, branch)) {
            if (value.isBlank() || value.startsWith("-")) {
                throw new ToolFailure("git push: remote and branch must be names, not options: '" + value + "'");
            }
        }
        List<String> argv = new ArrayList<>(List.of("git", "-c", "safe.directory=" + root));
        for (String setting : PUSH_SETTINGS) {
            argv.addAll(List.of("-c", setting));
        }
        argv.addAll(List.of("-c", "remote." + remote + ".receivepack=git-receive-pack", "push", "--no-verify",
                "--receive-pack=git-receive-pack", remote, branch));
        Map<String, String> environment = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", pushHome.toString(),
                "LANG", "C.UTF-8", "GIT_TERMINAL_PROMPT", "0", "GIT_CONFIG_NOSYSTEM", "1",
                "GIT_CONFIG_GLOBAL", "/dev/null");
        return outcome(CommandRunner.run(argv, root, limits.timeout(), environment, false, limits.outputBytes()));
    }

    private String outcome(CommandRunner.Run run) throws ToolFailure {
        String output = hideHost(run.output());
        if (run.timedOut()) {
            throw new ToolFailure("command timed out after " + limits.timeout() + " and was killed (with every "
                    + "process it started); output: " + output);
        }
        if (run.exitCode() != 0) {
            throw new ToolFailure("exit code " + run.exitCode() + ": " + output);
        }
        return output;
    }

    /** A new file and the directories made for it belong to the user commands run as. */
    private void adopt(Path file) throws IOException {
        for (Path p = file; p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            sandbox.adopt(p);
        }
    }

    /** How agents name a workspace file: {@code /workspace/...}. */
    private String shown(Path file) {
        Path normalized = file.normalize();
        if (!normalized.startsWith(root)) {
            return String.valueOf(normalized.getFileName());
        }
        String relative = root.relativize(normalized).toString();
        return relative.isEmpty() ? WORKSPACE_ROOT : WORKSPACE_ROOT + "/" + relative;
    }

    /** The host directory never appears in what an agent reads; /workspace does. */
    private String hideHost(String text) {
        return text == null ? "" : text.replace(root.toString(), WORKSPACE_ROOT);
    }

    private static String text(Map<String, Object> arguments, String name) throws ToolFailure {
        Object value = arguments.get(name);
        if (!(value instanceof String text)) {
            throw new ToolFailure("argument '" + name + "' is required and must be a string");
        }
        return text;
    }
}
