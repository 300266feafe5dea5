package dev.hydra.ops;

import dev.hydra.constitution.FilterSettings;
import dev.hydra.constitution.rules.Constitution;
import dev.hydra.crew.CrewSettings;
import dev.hydra.crew.agent.AgentCrew;
import dev.hydra.crew.agent.Crews;
import dev.hydra.crew.tools.McpServers;
import dev.hydra.crew.tools.McpToolset;
import dev.hydra.crew.tools.ToolCatalog;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.SandboxSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.tools.McpServerConfig;
import dev.hydra.topics.tools.ToolEffect;
import dev.hydra.topics.tools.ToolKind;
import dev.hydra.topics.tools.ToolVocabulary;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hydra tools [--crew C]}: per crew and agent, every tool the agent would be offered, where it
 * comes from (built-in, or the configured MCP server with its kind and transport) and how the
 * constitution treats a call of it. It connects to the configured MCP servers to list their tools.
 */
@Command(name = "tools", mixinStandardHelpOptions = true,
        description = "Lists the tools each crew's agents are offered, where each comes from and the constitution's stance on it.")
final class ToolsCommand implements Callable<Integer> {
    @Option(names = "--config", description = "hydra.yaml (default: ${DEFAULT-VALUE}; env HYDRA_CONFIG)",
            defaultValue = "${env:HYDRA_CONFIG:-config/hydra.yaml}")
    java.nio.file.Path configFile;

    @Option(names = "--crew", paramLabel = "CREW", description = "only this crew (research, development, infrastructure, "
            + "self-improvement)")
    String crew;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        HydraConfig config = SettingsCatalog.checked(HydraConfig.load(configFile, System.getenv()));
        List<McpServerConfig> servers = McpServerConfig.from(config);
        ToolVocabulary vocabulary = ToolVocabulary.standard().withServers(servers);
        Constitution constitution = Constitution.load(FilterSettings.constitutionFile(config))
                .withSandbox(config.get(SandboxSettings.SANDBOX)).withTools(vocabulary);
        PrintWriter out = spec.commandLine().getOut();
        List<Crew> crews = crew == null ? List.of(Crew.values()) : List.of(Crew.fromWire(crew));
        for (Crew c : crews) {
            try (McpToolset mcp = McpToolset.forCrew(config, c, config.get(CrewSettings.TOOL_TIMEOUT))) {
                AgentCrew agents = agents(c).offering(mcp);
                List<McpToolset.McpTool> discovered = agents.mcpTools();
                out.println("crew " + c.wireName());
                for (McpServerConfig server : mcp.servers()) {
                    boolean answered = discovered.stream().anyMatch(t -> t.server().name().equals(server.name()));
                    out.println("  MCP server " + server.name() + " (" + server.kind().map(k -> "kind " + k)
                            .orElse("no kind") + ", " + McpServers.transport(server) + ")"
                            + (answered ? "" : ": unavailable, its tools are not offered until it answers"));
                }
                for (Map.Entry<String, List<String>> agent : agents.tools().entrySet()) {
                    out.println("  agent " + agent.getKey());
                    for (String name : agent.getValue()) {
                        ToolCatalog.ToolDef def = ToolCatalog.get(name);
                        line(out, name, "built-in " + def.qualified(), def.qualified(), constitution, vocabulary);
                    }
                    for (McpToolset.McpTool tool : discovered) {
                        line(out, tool.name(), "MCP " + tool.qualified(), tool.qualified(), constitution, vocabulary);
                    }
                    if (agent.getValue().isEmpty() && discovered.isEmpty()) {
                        out.println("    (no tools)");
                    }
                }
            }
        }
        out.flush();
        return 0;
    }

    private static void line(PrintWriter out, String name, String origin, String qualified, Constitution constitution,
                             ToolVocabulary vocabulary) {
        out.printf("    %-28s %-40s %s%n", name, origin, stance(qualified, constitution, vocabulary));
    }

    /** How the constitution treats a call no constraint stops (a constraint can still deny or park one). */
    static String stance(String qualified, Constitution constitution, ToolVocabulary vocabulary) {
        Optional<ToolKind> kind = vocabulary.find(qualified);
        Optional<String> entry = constitution.autonomousOperation(qualified);
        if (kind.isEmpty()) {
            return entry.map(e -> "ALLOW by autonomous_operations " + e + " (the constitution does not know what it does)")
                    .orElse("NEEDS_APPROVAL: unknown to the constitution (name it in autonomous_operations to allow it)");
        }
        ToolEffect effect = kind.get().effect();
        if (entry.isPresent()) {
            return effect == ToolEffect.READ ? "ALLOW by autonomous_operations " + entry.get()
                    : "judged by its arguments (" + effect.word() + ", named by autonomous_operations " + entry.get() + ")";
        }
        if (effect.onFiles()) {
            return "judged by its paths (" + effect.word() + ": ALLOW under autonomous_operations paths, else NEEDS_APPROVAL)";
        }
        return "NEEDS_APPROVAL: " + effect.word() + ", no autonomous_operations entry names it";
    }

    /** The crew's agents as a worker builds them, without a model: only their tools are read. */
    private static AgentCrew agents(Crew crew) {
        AgentCrew.Limits limits = new AgentCrew.Limits(1, 1, 1, java.time.Duration.ofSeconds(1));
        return switch (crew) {
            case RESEARCH -> Crews.research(null, "-", null, limits);
            case DEVELOPMENT -> Crews.development(null, "-", null, limits);
            case INFRASTRUCTURE -> Crews.inferenceOptimization(null, "-", null, limits);
            case SELF_IMPROVEMENT -> Crews.selfImprovement(null, "-", null, limits, task -> { });
        };
    }
}
