package dev.hydra.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hydra.topics.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An OpenAI-compatible {@code /v1/chat/completions} endpoint on 127.0.0.1 for a whole stack: every
 * call is answered with a short final answer and a token usage, so crews finish their tasks through
 * the real langchain4j client and count real tokens; a request that mentions {@link #REFUSE} is
 * refused with HTTP 400, an error the crew cannot retry, so agent errors happen on purpose.
 */
final class ModelStandIn implements AutoCloseable {
    static final String MODEL = "stand-in-model";
    static final String REFUSE = "MODEL-REFUSES";
    static final int PROMPT_TOKENS = 120;
    static final int COMPLETION_TOKENS = 30;

    private final HttpServer server;

    ModelStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", this::answer);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private void answer(HttpExchange exchange) throws IOException {
        String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int status = 200;
        String body;
        if (request.contains(REFUSE)) {
            status = 400;
            body = "{\"error\": {\"message\": \"the stand-in model refuses this request\", \"type\": \"invalid_request_error\"}}";
        } else {
            ObjectNode root = Json.MAPPER.createObjectNode().put("id", "chatcmpl-" + System.nanoTime())
                    .put("object", "chat.completion").put("created", System.currentTimeMillis() / 1000).put("model", MODEL);
            ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", "Noted; nothing further to add.");
            root.putObject("usage").put("prompt_tokens", PROMPT_TOKENS).put("completion_tokens", COMPLETION_TOKENS)
                    .put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS);
            body = Json.write(root);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
