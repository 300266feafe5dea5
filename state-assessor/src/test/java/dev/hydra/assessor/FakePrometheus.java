package dev.hydra.assessor;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for an external Prometheus server: a real HTTP server on 127.0.0.1 answering
 * {@code GET /api/v1/query?query=Q} in the Prometheus API's JSON shape. {@code answers} maps a query
 * to a sample value (one vector series), {@code "a,b"} (two series), {@code "scalar:v"}, or
 * {@code "empty"}; an unknown query gets Prometheus' 400 error body.
 */
final class FakePrometheus {
    private FakePrometheus() {
    }

    static HttpServer start(Vertx vertx, Map<String, String> answers) throws Exception {
        return vertx.createHttpServer().requestHandler(req -> {
            String query = req.getParam("query");
            String answer = "/api/v1/query".equals(req.path()) ? answers.get(query) : null;
            JsonObject body;
            int status = 200;
            if (answer == null) {
                status = 400;
                body = new JsonObject().put("status", "error").put("errorType", "bad_data")
                        .put("error", "unknown query " + query);
            } else if (answer.startsWith("scalar:")) {
                body = success("scalar", sample(answer.substring(7)));
            } else {
                JsonArray series = new JsonArray();
                if (!answer.equals("empty")) {
                    int i = 0;
                    for (String value : answer.split(",")) {
                        series.add(new JsonObject().put("metric", new JsonObject().put("instance", "node-" + i++))
                                .put("value", sample(value)));
                    }
                }
                body = success("vector", series);
            }
            req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static JsonObject success(String type, Object result) {
        return new JsonObject().put("status", "success")
                .put("data", new JsonObject().put("resultType", type).put("result", result));
    }

    private static JsonArray sample(String value) {
        return new JsonArray().add(1_764_000_000.123).add(value);
    }
}
