package dev.hydra.ops;

import dev.hydra.topics.Json;
import dev.hydra.topics.actions.CrewAction;
import dev.hydra.topics.actions.CrewActions;
import dev.hydra.topics.events.Crew;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hydra actions [--crew C] [--json]}: the actions each crew runs, from the contract
 * (actions.table) — what a task's {@code task.action} may be; every door refuses any other.
 */
@Command(name = "actions", mixinStandardHelpOptions = true,
        description = "Lists the actions each crew runs (a task's task.action), who runs each (executor or agents) "
                + "and what it asks for; a task with any other action is refused.")
final class ActionsCommand implements Callable<Integer> {
    @Option(names = "--crew", paramLabel = "CREW", description = "only this crew (research, development, infrastructure, "
            + "self_improvement)")
    String crew;

    @Option(names = "--json", description = "one JSON object per action: crew, action, runBy, description")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Crew> crews;
        try {
            crews = crew == null ? List.of(Crew.values()) : List.of(Crew.fromWire(crew));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("hydra actions: --crew: " + e.getMessage());
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        for (Crew c : crews) {
            if (!json) {
                out.println("crew " + c.wireName());
            }
            for (CrewAction action : CrewActions.standard().of(c)) {
                if (json) {
                    out.println(Json.MAPPER.createObjectNode().put("crew", c.wireName()).put("action", action.name())
                            .put("runBy", action.runBy().word()).put("description", action.description()));
                } else {
                    out.printf("  %-22s %-9s %s%n", action.name(), action.runBy().word(), action.description());
                }
            }
        }
        out.flush();
        return 0;
    }
}
