package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Json;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.concurrent.CopyOnWriteArrayList;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
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
    private static final long LIVE_PUSH_MS = 1_000;

    private final List<Consumer<Router>> moduleRoutes;
    private final LiveView view;
    private final boolean ownsView;
    private final List<HttpServerResponse> liveClients = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private OperatorCalls operatorCalls;
    private long pushTimer = -1;
    private long pushedVersion = -1;

    /**
     * @param withConsole serve the operator console (its live view reads several topics); a single
     *                    service only needs /health, /metrics and its API
     */
    ConsoleServer(Vertx vertx, StackApi api, List<Consumer<Router>> moduleRoutes, boolean withConsole) {
        this(vertx, api, moduleRoutes, withConsole ? new LiveView(api.clientProps()) : null, true);
    }

    /**
     * Serves the operator console from a live view the caller starts and closes: {@code hydra service
     * console} runs the view as its service, so that /health reports it.
     */
    ConsoleServer(Vertx vertx, StackApi api, List<Consumer<Router>> moduleRoutes, LiveView view) {
        this(vertx, api, moduleRoutes, view, false);
    }

    private ConsoleServer(Vertx vertx, StackApi api, List<Consumer<Router>> moduleRoutes, LiveView view, boolean ownsView) {
        this.vertx = vertx;
        this.api = api;
        this.moduleRoutes = moduleRoutes;
        this.view = view;
        this.ownsView = ownsView;
    }

    /** Starts listening; fails (with the cause) when the port cannot be bound. */
    void start(String host, int port) throws Exception {
        if (view != null) {
            if (ownsView) {
                view.start();
            }
            pushTimer = vertx.setPeriodic(LIVE_PUSH_MS, id -> pushLive());
        }
        server = vertx.createHttpServer().requestHandler(router()).listen(port, host)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.info("HTTP console on http://{}:{}", host, server.actualPort());
    }

    int port() {
        return server.actualPort();
    }

    private Router router() {
        Router router = Router.router(vertx);
        // The API speaks JSON whatever the client declares: `curl -d @task.json` sends a form type, and
        // Vert.x would otherwise decode the body as form fields (and refuse one longer than 8 KiB).
        router.route("/api/*").handler(ConsoleServer::treatBodyAsJson);
        router.route("/api/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES).setHandleFileUploads(false));
        router.errorHandler(413, ctx -> error(ctx, 413, "the body is larger than the limit of " + MAX_BODY_BYTES
                + " bytes (1 MiB); send large content by reference (a path in the workspace, a URL)"));
        router.errorHandler(400, ctx -> error(ctx, 400, "bad request: " + describe(ctx.failure())));
        router.errorHandler(404, ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().method() + " "
                + ctx.request().path() + " (the API is under /api: tasks, approvals, topics, view, memory)"));
        router.errorHandler(500, ctx -> {
            LOG.warn("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
            error(ctx, 500, "internal error: " + describe(ctx.failure()) + " (details in the stack's log)");
        });
        router.get("/health").handler(this::health);
        if (view != null) {
            router.get("/").handler(ctx -> ctx.reroute("/console/index.html"));
            router.get("/console/*").handler(StaticHandler.create("console").setCachingEnabled(false));
            router.get("/api/view").handler(ctx -> json(ctx, 200, view.snapshot()));
            router.get("/api/live").handler(this::live);
        }
        router.get("/metrics").handler(this::metrics);
        router.get("/api/topics").blockingHandler(this::topics);
        router.post("/api/tasks").blockingHandler(this::submitTask);
        router.post("/api/toolcalls").blockingHandler(this::callTool);
        router.get("/api/approvals").blockingHandler(this::approvals);
        router.post("/api/approvals/:id/approve").blockingHandler(ctx -> decide(ctx, true));
        router.post("/api/approvals/:id/reject").blockingHandler(ctx -> decide(ctx, false));
        moduleRoutes.forEach(routes -> routes.accept(router));
        return router;
    }

    private static void treatBodyAsJson(RoutingContext ctx) {
        String type = ctx.request().getHeader("content-type");
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            ctx.request().headers().set("content-type", "application/json");
        }
        ctx.next();
    }

    private static String describe(Throwable failure) {
        return failure == null ? "no details" : String.valueOf(failure.getMessage());
    }

    /** The request's body, or an error response naming what the endpoint expects when there is none. */
    private static java.util.Optional<String> body(RoutingContext ctx, String expected) {
        String body = ctx.body().asString();
        if (body == null || body.isBlank()) {
            error(ctx, 400, "the body is empty: send " + expected);
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(body);
    }

    private void health(RoutingContext ctx) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode services = body.putObject("services");
        ObjectNode notes = Json.MAPPER.createObjectNode();
        boolean up = true;
        for (Service service : api.services()) {
            boolean healthy = service.healthy();
            services.put(service.name(), healthy ? "UP" : "DOWN");
            service.healthNote().ifPresent(note -> notes.put(service.name(), note));
            up &= healthy;
        }
        if (!notes.isEmpty()) {
            body.set("notes", notes);
        }
        body.put("status", up ? "UP" : "DOWN");
        json(ctx, up ? 200 : 503, body);
    }

    /** Server-sent events: the console's picture each time it changes. */
    private void live(RoutingContext ctx) {
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
        liveClients.add(response);
        response.closeHandler(v -> liveClients.remove(response));
        response.write("data: " + Json.write(view.snapshot()) + "\n\n");
    }

    private void pushLive() {
        long version = view.version();
        if (version == pushedVersion || liveClients.isEmpty()) {
            return;
        }
        pushedVersion = version;
        String event = "data: " + Json.write(view.snapshot()) + "\n\n";
        liveClients.forEach(client -> client.write(event));
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
        java.util.Optional<String> body = body(ctx, "a task as JSON (see topics/src/main/resources/schemas)");
        if (body.isEmpty()) {
            return;
        }
        try {
            task = Topics.TASK.fromJson(body.get()).withSourceIfUnknown("http");
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

    /** The longest a request may wait for a tool call's result ({@code ?wait=}): longer calls are followed on the topics. */
    private static final Duration MAX_CALL_WAIT = Duration.ofMinutes(2);

    /**
     * An operator's tool call (the body: {server, tool, arguments, crew?}), judged by the constitution
     * like an agent's. 202 with its id at once, or with {@code ?wait=30s} the result when it comes in
     * time (200), else 202 with status PENDING (parked for approval, or still running).
     */
    private void callTool(RoutingContext ctx) {
        java.util.Optional<String> body = body(ctx, "a tool call as JSON {\"server\", \"tool\", \"arguments\"}");
        if (body.isEmpty()) {
            return;
        }
        Duration wait;
        try {
            String asked = ctx.request().getParam("wait");
            wait = asked == null ? Duration.ZERO : dev.hydra.topics.config.Setting.parseDuration(asked);
        } catch (RuntimeException e) {
            error(ctx, 400, "wait must be a duration such as 30s or 2m, was '" + ctx.request().getParam("wait") + "'");
            return;
        }
        if (wait.compareTo(MAX_CALL_WAIT) > 0) {
            error(ctx, 400, "wait may be at most " + MAX_CALL_WAIT.toMinutes() + "m, was " + wait);
            return;
        }
        ToolCall call;
        try {
            call = OperatorCalls.prepare(Json.parse(body.get()), api.mcpServers(), "http");
        } catch (InvalidEventException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        try {
            java.util.Optional<ToolResult> result = operatorCalls().call(call, wait);
            json(ctx, result.isPresent() ? 200 : 202, OperatorCalls.describe(call, result, wait)
                    .put("topic", Topics.TOOLCALLS_REQUESTED.name()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ctx, 503, "interrupted while waiting for tool call " + call.id());
        } catch (RuntimeException e) {
            error(ctx, 503, "could not produce the tool call: " + e.getMessage());
        }
    }

    private synchronized OperatorCalls operatorCalls() {
        if (operatorCalls == null) {
            operatorCalls = new OperatorCalls(api.clientProps(), "hydra-console-calls");
        }
        return operatorCalls;
    }

    private void approvals(RoutingContext ctx) {
        ApprovalDesk desk = new ApprovalDesk(api.clientProps());
        boolean all = "true".equals(ctx.request().getParam("all"));
        json(ctx, 200, Json.tree(all ? desk.all() : desk.pending()));
    }

    /** Body: {"by": "name", "reason": "why"}; the filter checks the name against the approvers. */
    private void decide(RoutingContext ctx, boolean approve) {
        JsonNode body;
        try {
            body = Json.parse(ctx.body().asString() == null ? "{}" : ctx.body().asString());
        } catch (InvalidEventException e) {
            error(ctx, 400, "body must be JSON {\"by\": NAME, \"reason\": TEXT}: " + e.getMessage());
            return;
        }
        String by = body.path("by").asText("");
        if (by.isBlank()) {
            error(ctx, 400, "by is required: the name of the person deciding (one of the constitution's approvers)");
            return;
        }
        try {
            var decision = new ApprovalDesk(api.clientProps()).decide(ctx.pathParam("id"), approve, by,
                    body.path("reason").asText(""));
            json(ctx, 202, Json.tree(decision));
        } catch (IllegalArgumentException e) {
            error(ctx, 409, e.getMessage());
        } catch (Exception e) {
            error(ctx, 503, "could not publish the decision: " + e.getMessage());
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
        if (pushTimer >= 0) {
            vertx.cancelTimer(pushTimer);
        }
        if (view != null && ownsView) {
            view.close();
        }
        synchronized (this) {
            if (operatorCalls != null) {
                operatorCalls.close();
            }
        }
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }
}
