package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Json;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Task;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a running stack on one port: {@code /health}, {@code /metrics} and the API
 * under {@code /api}. All routes are declared together in {@link #router()}.
 */
final class ConsoleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final Vertx vertx;
    private final StackApi api;
    private final List<Consumer<Router>> moduleRoutes;
    private HttpServer server;

    ConsoleServer(Vertx vertx, StackApi api, List<Consumer<Router>> moduleRoutes) {
        this.vertx = vertx;
        this.api = api;
        this.moduleRoutes = moduleRoutes;
    }

    /** Starts listening; fails (with the cause) when the port cannot be bound. */
    void start(String host, int port) throws Exception {
        server = vertx.createHttpServer().requestHandler(router()).listen(port, host)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.info("HTTP console on http://{}:{}", host, server.actualPort());
    }

    int port() {
        return server.actualPort();
    }

    private Router router() {
        Router router = Router.router(vertx);
        router.route("/api/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        router.get("/health").handler(this::health);
        router.get("/metrics").handler(this::metrics);
        router.get("/api/topics").blockingHandler(this::topics);
        router.post("/api/tasks").blockingHandler(this::submitTask);
        moduleRoutes.forEach(routes -> routes.accept(router));
        return router;
    }

    private void health(RoutingContext ctx) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode services = body.putObject("services");
        boolean up = true;
        for (Service service : api.services()) {
            boolean healthy = service.healthy();
            services.put(service.name(), healthy ? "UP" : "DOWN");
            up &= healthy;
        }
        body.put("status", up ? "UP" : "DOWN");
        json(ctx, up ? 200 : 503, body);
    }

    private void metrics(RoutingContext ctx) {
        ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                .end(MetricsText.scrape());
    }

    private void topics(RoutingContext ctx) {
        try {
            json(ctx, 200, Json.tree(api.topicStates().stream().map(s -> java.util.Map.of(
                    "name", s.topic().name(), "partitions", s.topic().partitions(),
                    "compacted", s.topic().compacted(), "state", s.summary())).toList()));
        } catch (Exception e) {
            error(ctx, 503, "cannot describe topics: " + e.getMessage());
        }
    }

    private void submitTask(RoutingContext ctx) {
        Task task;
        try {
            task = Topics.TASK.fromJson(ctx.body().asString());
        } catch (InvalidEventException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        try {
            api.submit(task);
            json(ctx, 202, Json.MAPPER.createObjectNode().put("id", task.id()).put("topic", Topics.TASKS_PROPOSED.name()));
        } catch (Exception e) {
            error(ctx, 503, "could not produce the task: " + e.getMessage());
        }
    }

    static void json(RoutingContext ctx, int status, JsonNode body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(Json.write(body));
    }

    /** The one error shape of the API: {@code {"error": "..."}}. */
    static void error(RoutingContext ctx, int status, String message) {
        json(ctx, status, Json.MAPPER.createObjectNode().put("error", message));
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }
}
