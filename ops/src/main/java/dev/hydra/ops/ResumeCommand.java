package dev.hydra.ops;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hydra resume}: clears the pause switch on hydra.control. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        header = "Ends a pause: crews claim again within a second, the assessor proposes again.",
        description = {"Writes pause=off to the compacted hydra.control."})
final class ResumeCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return PauseCommand.flip(spec, connection, false, "");
    }
}
