package dev.hydra.crew.tools;

import dev.hydra.crew.CommandRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hydra's built-in sandboxed tools, confined to one workspace directory: files
 * ({@code filesystem-mcp}), a time-limited shell ({@code shell.run}) and git ({@code git-mcp}).
 * Every path is resolved inside the workspace and checked after canonicalization (symbolic links
 * included), so {@code ../} or a link cannot reach outside it. Commands get a minimal environment
 * and must not assume network access.
 */
public final class WorkspaceTools {
    /** Agents see the workspace mounted here; such paths map onto the workspace root. */
    public static final String MOUNT = "/workspace";
    private static final int MAX_READ_CHARS = 100_000;

    private final Path root;
    private final Duration commandTimeout;

    public WorkspaceTools(Path root, Duration commandTimeout) throws IOException {
        Files.createDirectories(root);
        this.root = root.toRealPath();
        this.commandTimeout = commandTimeout;
    }

    public Path root() {
        return root;
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
                case "git-mcp.push" -> git(List.of("push", text(arguments, "remote"), text(arguments, "branch")));
                default -> throw new ToolFailure("unknown built-in tool " + server + "." + tool);
            };
        } catch (NoSuchFileException e) {
            throw new ToolFailure("no such file: " + relative(Path.of(e.getFile())));
        } catch (IOException e) {
            throw new ToolFailure(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The canonical workspace path of {@code path}, or a failure if it leads outside the workspace. */
    public Path resolve(String path) throws ToolFailure, IOException {
        String inside = path.equals(MOUNT) ? "" : path.startsWith(MOUNT + "/") ? path.substring(MOUNT.length() + 1)
                : path;
        Path candidate = Path.of(inside);
        if (candidate.isAbsolute()) {
            throw new ToolFailure("path " + path + " is outside the workspace (use a relative path or " + MOUNT + "/…)");
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
        String text = new String(Files.readAllBytes(resolve(path)), StandardCharsets.UTF_8);
        return text.length() <= MAX_READ_CHARS ? text : text.substring(0, MAX_READ_CHARS) + "…";
    }

    private String write(String path, String content) throws ToolFailure, IOException {
        Path file = resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return "wrote " + content.length() + " characters to " + relative(file);
    }

    private String delete(String path) throws ToolFailure, IOException {
        Path file = resolve(path);
        if (file.equals(root)) {
            throw new ToolFailure("refusing to delete the workspace root");
        }
        Files.delete(file);
        return "deleted " + relative(file);
    }

    private String move(String source, String destination) throws ToolFailure, IOException {
        Path from = resolve(source);
        Path to = resolve(destination);
        Files.createDirectories(to.getParent());
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        return "moved " + relative(from) + " to " + relative(to);
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
        CommandRunner.Run run = CommandRunner.run(argv, root, commandTimeout, sandboxEnvironment(), false);
        if (run.timedOut()) {
            throw new ToolFailure("command timed out after " + commandTimeout + " and was killed; output: " + run.output());
        }
        if (run.exitCode() != 0) {
            throw new ToolFailure("exit code " + run.exitCode() + ": " + run.output());
        }
        return run.output();
    }

    /** No credentials, proxies or tokens of the executor's own environment reach a command. */
    private Map<String, String> sandboxEnvironment() {
        return Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", root.toString(), "LANG", "C.UTF-8",
                "GIT_TERMINAL_PROMPT", "0");
    }

    private String relative(Path file) {
        return file.startsWith(root) ? root.relativize(file).toString() : file.getFileName().toString();
    }

    private static String text(Map<String, Object> arguments, String name) throws ToolFailure {
        Object value = arguments.get(name);
        if (!(value instanceof String text)) {
            throw new ToolFailure("argument '" + name + "' is required and must be a string");
        }
        return text;
    }
}
