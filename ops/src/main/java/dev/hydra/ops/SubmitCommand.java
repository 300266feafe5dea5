package dev.hydra.ops;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Topics;
import dev.hydra.topics.actions.CrewActions;
import dev.hydra.topics.events.Task;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hydra submit}: validates tasks and produces them to hydra.tasks.proposed. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        header = "Sends tasks from a file or standard input to hydra.tasks.proposed.",
        description = {"Produces tasks to hydra.tasks.proposed. FILE holds one task object, or several (JSON lines or "
                        + "concatenated objects); '-' reads standard input. Every task is checked first: if one is invalid "
                        + "nothing is sent and the error names the task and the field (exit code 2); a task whose action its crew "
                        + "does not run is invalid, and the error lists the crew's actions (hydra actions)."})
final class SubmitCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Parameters(paramLabel = "FILE", description = "task JSON file, or - for standard input")
    String file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<Task> tasks;
        try {
            tasks = read();
        } catch (InvalidEventException | IOException e) {
            spec.commandLine().getErr().println("hydra submit: " + e.getMessage());
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        try (EventProducer producer = new EventProducer(connection.clientProps(), "hydra-cli")) {
            for (Task proposed : tasks) {
                Task task = proposed.withSourceIfUnknown("cli");
                var meta = producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id()).get(30, TimeUnit.SECONDS);
                out.printf("%s -> %s-%d@%d%n", task.id(), meta.topic(), meta.partition(), meta.offset());
            }
        }
        return 0;
    }

    private List<Task> read() throws IOException {
        // An action its crew does not run is refused here, before anything is sent (the filter would reject it).
        return JsonInput.read(file, "task", node -> CrewActions.standard().requireDeclared(Topics.TASK.fromTree(node)));
    }
}
