package dev.hydra.topics.tools;

import dev.hydra.topics.config.SandboxSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One tool the vocabulary knows: the server and tool a {@code ToolCall} names, its effect, the
 * arguments that carry each part of it (role → argument names, first present wins) and, for a
 * built-in tool agents are offered, how it is offered.
 */
public record ToolKind(String server, String tool, ToolEffect effect, Map<String, List<String>> roles,
                       Optional<ToolOffer> offer) {

    public ToolKind {
        roles = Map.copyOf(roles);
    }

    public String qualified() {
        return server + "." + tool;
    }

    /** The argument names of a role, for the constitution's readers. */
    public String[] keys(String role) {
        return roles.getOrDefault(role, List.of()).toArray(String[]::new);
    }

    /** The same tool reached on a configured server of this tool's kind. */
    ToolKind on(String configuredServer) {
        return new ToolKind(configuredServer, tool, effect, roles, Optional.empty());
    }

    /**
     * The resources a call touches, in DESIGN.md's notation, read through the roles: the router and
     * filter use them for conflicts, and a request is keyed by the first so calls on one resource stay in
     * order. A relative path is the workspace's, as the built-in tools resolve it.
     */
    public List<String> resources(Map<String, Object> arguments) {
        List<String> resources = new ArrayList<>();
        for (String role : List.of("path", "source", "destination")) {
            argument(arguments, role).ifPresent(path -> resources.add("path:"
                    + (path.startsWith("/") ? path : SandboxSettings.WORKSPACE_ROOT + "/" + path)));
        }
        argument(arguments, "container").ifPresent(container -> resources.add("service:" + container));
        if (server.equals(ToolVocabulary.GIT)) {
            resources.add("repo:workspace@" + argument(arguments, "branch").orElse("HEAD"));
        }
        return resources;
    }

    private Optional<String> argument(Map<String, Object> arguments, String role) {
        for (String key : keys(role)) {
            if (arguments.get(key) instanceof String value && !value.isBlank()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
