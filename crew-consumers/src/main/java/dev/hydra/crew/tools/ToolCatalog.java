package dev.hydra.crew.tools;

import dev.hydra.topics.config.SandboxSettings;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tools agents may ask for, by the name the model sees, and the server and tool each becomes
 * in a {@code ToolCall} (the canonical names of DESIGN.md, which the constitution matches on).
 */
public final class ToolCatalog {

    /** One tool: its model-facing name, where it runs, its arguments, and which arguments name resources. */
    public record ToolDef(String name, String server, String tool, String description, List<String> arguments,
                          List<String> listArguments) {

        public ToolSpecification specification() {
            JsonObjectSchema.Builder parameters = JsonObjectSchema.builder();
            for (String argument : arguments) {
                parameters.addStringProperty(argument);
            }
            for (String argument : listArguments) {
                parameters.addProperty(argument, JsonArraySchema.builder().items(new JsonStringSchema()).build());
            }
            List<String> required = new ArrayList<>(arguments);
            required.addAll(listArguments);
            return ToolSpecification.builder().name(name).description(description)
                    .parameters(parameters.required(required).build()).build();
        }

        public String qualified() {
            return server + "." + tool;
        }
    }

    public static final String FILESYSTEM = "filesystem-mcp";
    public static final String SHELL = "shell";
    public static final String GIT = "git-mcp";

    private static final Map<String, ToolDef> TOOLS = new LinkedHashMap<>();
    private static final String IN_WORKSPACE = SandboxSettings.WORKSPACE_ROOT + "/... or a path relative to it";

    static {
        add("read_file", FILESYSTEM, "read_file", "Read a text file of the workspace (" + IN_WORKSPACE + ")",
                List.of("path"), List.of());
        add("write_file", FILESYSTEM, "write_file", "Create or replace a text file of the workspace ("
                + IN_WORKSPACE + ")", List.of("path", "content"), List.of());
        add("delete_file", FILESYSTEM, "delete_file", "Delete a file of the workspace (" + IN_WORKSPACE + ")",
                List.of("path"), List.of());
        add("move_file", FILESYSTEM, "move_file", "Move or rename a file of the workspace (" + IN_WORKSPACE + ")",
                List.of("source", "destination"), List.of());
        add("run_shell", SHELL, "run", "Run a shell command in the sandbox, in " + SandboxSettings.WORKSPACE_ROOT
                + " (no network; only " + SandboxSettings.WORKSPACE_ROOT + " and /tmp writable; time-limited)",
                List.of("command"), List.of());
        add("git_status", GIT, "status", "Show the working tree status of the workspace repository", List.of(),
                List.of());
        add("git_diff", GIT, "diff", "Show uncommitted changes of the workspace repository", List.of(), List.of());
        add("git_checkout", GIT, "checkout", "Switch to (or create) a branch", List.of("branch"), List.of());
        add("git_commit", GIT, "commit", "Commit files with a message", List.of("message"), List.of("files"));
        add("git_push", GIT, "push", "Push a branch to a remote", List.of("remote", "branch"), List.of());
        add("web_search", "web-search", "search", "Search the web", List.of("query"), List.of());
        add("web_fetch", "web-fetch", "fetch", "Fetch a web page as text", List.of("url"), List.of());
        add("restart_container", "docker-mcp", "restart_container", "Restart a container",
                List.of("container"), List.of());
    }

    private ToolCatalog() {
    }

    private static void add(String name, String server, String tool, String description, List<String> arguments,
                            List<String> listArguments) {
        TOOLS.put(name, new ToolDef(name, server, tool, description, arguments, listArguments));
    }

    public static Optional<ToolDef> find(String name) {
        return Optional.ofNullable(TOOLS.get(name));
    }

    public static ToolDef get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no tool named " + name));
    }

    /**
     * The resources a call touches, in DESIGN.md's notation: the router and filter use them for
     * conflicts, and the request is keyed by the first so calls on one resource stay in order.
     */
    public static List<String> resources(String server, String tool, Map<String, Object> arguments) {
        List<String> resources = new ArrayList<>();
        for (String key : List.of("path", "source", "destination")) {
            if (arguments.get(key) instanceof String path && !path.isBlank()) {
                // one name per file: a relative path is the workspace's, as the tools resolve it
                resources.add("path:" + (path.startsWith("/") ? path : SandboxSettings.WORKSPACE_ROOT + "/" + path));
            }
        }
        if (arguments.get("container") instanceof String container && !container.isBlank()) {
            resources.add("service:" + container);
        }
        if (server.equals(GIT)) {
            String branch = arguments.get("branch") instanceof String b && !b.isBlank() ? b : "HEAD";
            resources.add("repo:workspace@" + branch);
        }
        return resources;
    }
}
