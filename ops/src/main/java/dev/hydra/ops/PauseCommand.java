package dev.hydra.ops;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.PauseSwitch;
import dev.hydra.topics.events.ControlSwitch;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hydra pause}: sets the pause switch on hydra.control; {@code --show} only prints it. */
@Command(name = "pause", mixinStandardHelpOptions = true,
        header = "Pauses the stack: crews claim no new task, the assessor proposes nothing; approvals still work.",
        description = {"Writes pause=on to the compacted hydra.control. Every crew worker stops claiming within a "
                + "second (a task already running finishes); the state assessor keeps assessing but proposes "
                + "nothing. The switch survives a restart: a paused stack comes back paused. 'hydra resume' ends it. "
                + "--show prints the switch without changing it."})
final class PauseCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why, shown by --show, /health and the console")
    String reason = "";

    @Option(names = "--show", description = "print whether the stack is paused, change nothing")
    boolean show;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return show ? show(spec.commandLine().getOut(), connection) : flip(spec, connection, true, reason);
    }

    static int flip(CommandSpec spec, HydraCli.Connection connection, boolean paused, String reason) {
        try (EventProducer producer = new EventProducer(connection.clientProps(), "hydra-cli")) {
            ControlSwitch set = PauseSwitch.set(producer, paused, System.getProperty("user.name", "cli"), reason);
            spec.commandLine().getOut().println(describe(set));
            return 0;
        } catch (IllegalStateException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("hydra " + spec.name() + ": " + e.getMessage());
            return 1;
        }
    }

    static int show(PrintWriter out, HydraCli.Connection connection) {
        try (PauseSwitch pause = PauseSwitch.start(connection.clientProps(), "hydra-cli", Duration.ofSeconds(30))) {
            out.println(pause.state().map(PauseCommand::describe).orElse("running (never paused)"));
            return 0;
        }
    }

    static String describe(ControlSwitch s) {
        return (s.on() ? "PAUSED" : "running") + " (" + (s.on() ? "paused" : "resumed") + " by " + s.by() + " at "
                + s.at() + (s.reason().isEmpty() ? "" : ": " + s.reason()) + ")";
    }
}
