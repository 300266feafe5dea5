package dev.hydra.ops;

import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Json;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.tools.McpServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hydra call}: an operator's tool call, through the constitution to the executor, and its result. */
@Command(name = "call", mixinStandardHelpOptions = true,
        header = "Makes tool calls from a file or standard input, through the constitution, and prints their results.",
        description = {"FILE holds one call or several (JSON lines or concatenated objects): {\"server\": \"fs\", "
                + "\"tool\": \"read_text_file\", \"arguments\": {\"path\": \"...\"}}; '-' reads standard input. Each is "
                + "judged by the constitution like an agent's call (crew development unless the call names one) and run "
                + "by the tool executor of the running stack; a parked call waits for a person (hydra approvals). "
                + "Every call is checked first: if one is invalid nothing is sent (exit code 2). Exit code 0 when "
                + "every call ran OK, 1 when one failed or was denied, 3 when one had no result within --wait."})
final class CallCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Parameters(paramLabel = "FILE", description = "tool call JSON file, or - for standard input")
    String file;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where the operator's signing key is (keys/operator-ed25519.key; default: data.dir)")
    java.nio.file.Path dataDir;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "60s",
            description = "how long to wait for each result (default: ${DEFAULT-VALUE})")
    Duration wait;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HydraConfig config = connection.config();
        List<ToolCall> calls;
        try {
            calls = read(McpServerConfig.from(config));
        } catch (InvalidEventException | IOException e) {
            spec.commandLine().getErr().println("hydra call: " + e.getMessage());
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        int code = 0;
        try (OperatorCalls operator = new OperatorCalls(connection.clientProps(), "hydra-cli-call",
                connection.operatorSigner(dataDir))) {
            for (ToolCall call : calls) {
                Optional<ToolResult> result = operator.call(call, wait);
                out.println(Json.write(OperatorCalls.describe(call, result, wait)));
                out.flush();
                int callCode = result.map(r -> r.status() == ToolStatus.OK ? 0 : 1).orElse(3);
                code = Math.max(code, callCode);
            }
        }
        return code;
    }

    private List<ToolCall> read(List<McpServerConfig> servers) throws IOException {
        return JsonInput.read(file, "tool call", node -> OperatorCalls.prepare(node, servers, "cli"));
    }
}
