package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.crew.agent.KafkaToolGateway;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.tools.McpServerConfig;
import dev.hydra.topics.tools.ToolVocabulary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * Tool calls a person makes ({@code hydra call}, {@code POST /api/toolcalls}): completed with what an
 * agent's call carries, sent to hydra.toolcalls.requested to be judged by the constitution like any
 * other, and awaited on hydra.toolcalls.results. A parked call is answered once a person approves it.
 */
final class OperatorCalls implements AutoCloseable {
    /** The agent name operator calls carry in the audit, beside where they came from. */
    static final String AGENT = "operator";
    /** What a person's tool call may say; the rest is the pipeline's to add. */
    static final List<String> FIELDS = List.of("id", "taskId", "crew", "server", "tool", "arguments", "resources",
            "createdAt");

    private final EventProducer producer;
    private final KafkaToolGateway gateway;

    /** @param signer the operator's key ({@code signing.writers.operator.key}): the calls are signed with it */
    OperatorCalls(Properties clientProps, String clientId, dev.hydra.topics.signing.WriterSigner signer) {
        this.producer = new EventProducer(clientProps, clientId, signer);
        this.gateway = new KafkaToolGateway(clientProps, producer, clientId);
    }

    /**
     * The call {@code node} describes, completed: an id, a task id of its own ({@code operator-<id>}),
     * {@code crew} (default development: the crew whose rules it is judged with), agent {@code operator:<source>}
     * (a call naming its own agent, replay, verdict, signature or any field outside {@link #FIELDS} is refused),
     * the resources its arguments touch (read through the tool vocabulary). Its server must be one the
     * tool executor runs: a built-in or a configured MCP server.
     */
    static ToolCall prepare(JsonNode node, List<McpServerConfig> servers, String source) {
        if (!(node instanceof ObjectNode given)) {
            throw new InvalidEventException("a tool call must be a JSON object {server, tool, arguments, crew?}");
        }
        ObjectNode call = given.deepCopy();
        // Who made the call (agent), whether it is a replay, and anything the pipeline adds on its way
        // (verdict, signature, approver, attempt) are not the caller's to say: refused, not dropped, so
        // a caller never believes such a field did something.
        List<String> foreign = new ArrayList<>();
        call.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                foreign.add(name);
            }
        });
        if (!foreign.isEmpty()) {
            throw new InvalidEventException("tool call: " + String.join(", ", foreign) + (foreign.size() == 1
                    ? " is" : " are") + " not for the caller to set; a call you make may name only " + FIELDS
                    + " (agent is set to " + AGENT + ":" + source + ", and what the pipeline adds is added by it)");
        }
        String id = call.path("id").asText("");
        if (id.isBlank()) {
            id = UUID.randomUUID().toString();
            call.put("id", id);
        }
        if (call.path("taskId").asText("").isBlank()) {
            call.put("taskId", "operator-" + id);
        }
        if (call.path("crew").asText("").isBlank()) {
            call.put("crew", Crew.DEVELOPMENT.wireName());
        }
        call.put("agent", AGENT + ":" + source);
        String server = call.path("server").asText("");
        List<String> builtIn = ToolVocabulary.standard().serverNames(ToolVocabulary.Origin.BUILT_IN);
        List<String> runnable = new ArrayList<>(builtIn);
        servers.forEach(s -> runnable.add(s.name()));
        // Exactly as the executor looks it up: another case or a space is a server it does not run, which
        // the constitution would park for a person and the executor then fail.
        if (!server.isBlank() && !runnable.contains(server)) {
            throw new InvalidEventException("server '" + server + "' is not run by this stack: one of " + runnable
                    + ", spelled exactly (built-in, or configured under crews.mcpServers in hydra.yaml)");
        }
        String tool = call.path("tool").asText("");
        if (builtIn.contains(server) && !tool.isBlank()) {
            List<String> tools = ToolVocabulary.standard().toolsOf(server).stream().map(t -> t.tool()).toList();
            if (!tools.contains(tool)) {
                throw new InvalidEventException("tool '" + tool + "' is not a tool of " + server + ": one of " + tools);
            }
        }
        ToolCall parsed = Topics.TOOL_CALL.fromTree(call);
        if (call.has("resources")) {
            return parsed;
        }
        List<String> resources = ToolVocabulary.standard().withServers(servers).find(parsed.server(), parsed.tool())
                .map(kind -> kind.resources(parsed.arguments())).orElse(List.of());
        return new ToolCall(parsed.id(), parsed.taskId(), parsed.crew(), parsed.agent(), parsed.server(),
                parsed.tool(), parsed.arguments(), resources, parsed.createdAt());
    }

    /** Sends the call and waits up to {@code wait} for its result; empty when none came (it may be parked). */
    Optional<ToolResult> call(ToolCall call, Duration wait) throws InterruptedException {
        return gateway.call(call, wait);
    }

    /** The JSON an operator sees for a result. */
    static ObjectNode describe(ToolCall call, Optional<ToolResult> result, Duration waited) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("id", call.id()).put("taskId", call.taskId())
                .put("tool", call.qualifiedTool());
        result.ifPresentOrElse(r -> out.put("status", r.status().name()).put("output", r.output()),
                () -> out.put("status", "PENDING").put("output", "no result within " + waited + ": it may be "
                        + "waiting for a person's approval (hydra approvals) or still running"));
        return out;
    }

    @Override
    public void close() {
        gateway.close();
        producer.close();
    }
}
