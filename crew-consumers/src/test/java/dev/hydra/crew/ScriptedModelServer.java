package dev.hydra.crew;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hydra.topics.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OpenAI-compatible {@code /v1/chat/completions} endpoint on 127.0.0.1 that answers with canned
 * responses, in order, and records every request it received, so tests run the real langchain4j
 * OpenAI client and assert what the agents sent.
 */
final class ScriptedModelServer implements AutoCloseable {
    static final String MODEL = "scripted-model";

    private final HttpServer server;
    private final ConcurrentLinkedQueue<String> script = new ConcurrentLinkedQueue<>();
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    ScriptedModelServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", this::answer);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Queues responses, answered in order. */
    ScriptedModelServer then(String... responses) {
        script.addAll(List.of(responses));
        return this;
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.add(Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
        String body = script.poll();
        int status = 200;
        if (body == null) {
            status = 500;
            body = "{\"error\": {\"message\": \"the script has no more responses\"}}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A response asking for tool calls: {@code calls} maps tool name to its arguments, in order. */
    static String toolCalls(int promptTokens, int completionTokens, List<Map.Entry<String, Map<String, Object>>> calls) {
        ObjectNode message = Json.MAPPER.createObjectNode().put("role", "assistant");
        message.putNull("content");
        ArrayNode toolCalls = message.putArray("tool_calls");
        int i = 0;
        for (Map.Entry<String, Map<String, Object>> call : calls) {
            ObjectNode tc = toolCalls.addObject().put("id", "call_" + (++i) + "_" + call.getKey()).put("type", "function");
            tc.putObject("function").put("name", call.getKey()).put("arguments", Json.write(call.getValue()));
        }
        return completion(message, "tool_calls", promptTokens, completionTokens);
    }

    static String answer(String text, int promptTokens, int completionTokens) {
        ObjectNode message = Json.MAPPER.createObjectNode().put("role", "assistant").put("content", text);
        return completion(message, "stop", promptTokens, completionTokens);
    }

    private static String completion(ObjectNode message, String finishReason, int promptTokens, int completionTokens) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("id", "chatcmpl-" + System.nanoTime())
                .put("object", "chat.completion").put("created", 1_764_000_000L).put("model", MODEL);
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        choice.set("message", message);
        choice.put("finish_reason", finishReason);
        root.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return Json.write(root);
    }

    /** The tool messages (role "tool") of a recorded request. */
    static List<String> toolMessages(JsonNode request) {
        List<String> out = new java.util.ArrayList<>();
        request.path("messages").forEach(m -> {
            if ("tool".equals(m.path("role").asText())) {
                out.add(m.path("content").asText());
            }
        });
        return out;
    }

    static List<String> toolNames(JsonNode request) {
        List<String> out = new java.util.ArrayList<>();
        request.path("tools").forEach(t -> out.add(t.path("function").path("name").asText()));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
