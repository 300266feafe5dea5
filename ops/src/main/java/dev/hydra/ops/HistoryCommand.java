package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hydra history}: recall memory, the whole life of one task in time order. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Prints everything that happened to TASK_ID (proposal, verdicts, status, tool calls, results), one JSON per line.")
final class HistoryCommand implements Callable<Integer> {
    @Mixin
    ConsoleClient console;

    @Parameters(paramLabel = "TASK_ID")
    String taskId;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JsonNode history = console.get("/api/memory/history/" + URLEncoder.encode(taskId, StandardCharsets.UTF_8));
        PrintWriter out = spec.commandLine().getOut();
        for (JsonNode event : history.isArray() ? history : history.path("events")) {
            out.println(event);
        }
        return 0;
    }
}
