package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Json;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topics;
import dev.hydra.topics.actions.CrewActions;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.handler.BasicAuthHandler;
import io.vertx.ext.web.handler.CSRFHandler;
import io.vertx.ext.web.handler.FormLoginHandler;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.LocalSessionStore;
import java.net.InetAddress;
import java.security.SecureRandom;
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
 *
 * <p>Everything that changes state (submit, approve, reject, memory writes) needs a login: a
 * session from the login form (cookie HttpOnly, SameSite=Strict, every post carrying the CSRF
 * token) or HTTP Basic on each request (the CLI, curl; JSON bodies only, which a cross-site form
 * cannot send). Read-only views stay open only while the server is bound to loopback.
 */
final class ConsoleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final Vertx vertx;
    private final StackApi api;
    private final CSRFHandler csrf;
    private static final long LIVE_PUSH_MS = 1_000;

    private final List<Consumer<Router>> moduleRoutes;
    private final LiveView view;
    private final boolean ownsView;
    private final List<HttpServerResponse> liveClients = new CopyOnWriteArrayList<>();
    private static final String SESSION_COOKIE = "hydra.session";
    private static final String CONSOLE_CLIENT_HEADER = "x-requested-with";

    private HttpServer server;
    private AuthenticationProvider logins;
    private boolean loopback;
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
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        // The token's signing secret lives as long as the process; sessions (in memory) do too.
        this.csrf = CSRFHandler.create(vertx, java.util.Base64.getEncoder().encodeToString(secret));
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
        logins = Logins.provider(vertx, api.loginsFile());
        loopback = InetAddress.getByName(host).isLoopbackAddress();
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
        router.get("/metrics").handler(this::metrics);
        SessionHandler sessions = SessionHandler.create(LocalSessionStore.create(vertx)).setSessionCookieName(SESSION_COOKIE)
                .setCookieHttpOnlyFlag(true).setCookieSameSite(CookieSameSite.STRICT);
        router.route().handler(ctx -> {
            // An API request that carries its own credentials is judged by them alone: with a session
            // read as well, a wrong password beside a logged-in cookie passed as the session's login,
            // and another login's credentials acted in the session's name (and skipped its CSRF check).
            if (ctx.request().path().startsWith("/api/") && ctx.request().headers().contains(HttpHeaders.AUTHORIZATION)) {
                ctx.next();
            } else {
                sessions.handle(ctx);
            }
        });
        router.post("/login").handler(BodyHandler.create().setBodyLimit(4096));
        router.post("/logout").handler(BodyHandler.create().setBodyLimit(4096));
        router.route().handler(this::csrfUnlessBasic);
        router.get("/login").handler(ctx -> ctx.response().putHeader("content-type", "text/html; charset=utf-8")
                .sendFile("console/login.html"));
        router.post("/login").handler(FormLoginHandler.create(logins).setDirectLoggedInOKURL("/"))
                .failureHandler(ctx -> ctx.redirect("/login?failed=" + (ctx.statusCode() == 403 ? "csrf" : "login")));
        router.post("/logout").handler(ctx -> {
            if (ctx.session() != null) {
                ctx.session().destroy();
            }
            ctx.userContext().clear();
            ctx.redirect("/");
        });
        if (!loopback) {
            // Bound beyond this host: nothing but /health, /metrics and the login page without a login.
            router.route().handler(this::requireLogin);
        }
        router.get("/api/whoami").handler(this::whoami);
        if (view != null) {
            router.get("/").handler(ctx -> ctx.reroute("/console/index.html"));
            router.get("/console/*").handler(StaticHandler.create("console").setCachingEnabled(false));
            router.get("/api/view").handler(ctx -> json(ctx, 200, view.snapshot()));
            router.get("/api/live").handler(this::live);
        }
        // Unordered: an ordered blocking handler runs one request at a time per event loop, so one slow
        // request (a tool call waiting for its result) held up every other on that loop.
        router.get("/api/topics").blockingHandler(this::topics, false);
        router.post("/api/tasks").handler(this::requireLogin).blockingHandler(this::submitTask, false);
        router.post("/api/toolcalls").handler(this::requireLogin).handler(this::callToolAside);
        router.get("/api/approvals").blockingHandler(this::approvals, false);
        router.post("/api/approvals/:id/approve").handler(this::requireLogin).blockingHandler(ctx -> decide(ctx, true), false);
        router.post("/api/approvals/:id/reject").handler(this::requireLogin).blockingHandler(ctx -> decide(ctx, false), false);
        router.post("/api/pause").handler(this::requireLogin).blockingHandler(ctx -> pause(ctx, true), false);
        router.post("/api/resume").handler(this::requireLogin).blockingHandler(ctx -> pause(ctx, false), false);
        router.post("/api/memory/*").handler(this::requireLogin);
        moduleRoutes.forEach(routes -> routes.accept(router));
        return router;
    }

    /**
     * Reads a body of any declared type as JSON, except from a browser page (it names its Origin,
     * which a page's script cannot remove): there a form type is what a cross-site form sends with
     * the browser's remembered credentials, and {@link #csrfUnlessBasic} refuses it.
     */
    private static void treatBodyAsJson(RoutingContext ctx) {
        String type = ctx.request().getHeader("content-type");
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")
                && !ctx.request().headers().contains(HttpHeaders.ORIGIN)) {
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

    /**
     * A logged-in session passes; otherwise the request's own HTTP Basic credentials are checked
     * by Vert.x's handler; without either the answer is 401. The console's own scripts get no
     * Basic challenge, so the browser does not pop up its password dialog (the page links to the
     * login form instead).
     */
    private void requireLogin(RoutingContext ctx) {
        if (ctx.user() != null) {
            ctx.next();
        } else if (ctx.request().headers().contains(HttpHeaders.AUTHORIZATION)) {
            basicAuth().handle(ctx);
        } else {
            if (!ctx.request().headers().contains(CONSOLE_CLIENT_HEADER)) {
                ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"hydra\"");
            }
            error(ctx, 401, "log in first: the console's login page is /login; the API takes HTTP Basic"
                    + " credentials of a login made with `hydra approvers add NAME`");
        }
    }

    private BasicAuthHandler basicAuth() {
        return BasicAuthHandler.create(logins, "hydra");
    }

    /**
     * CSRF tokens guard what a browser sends on its own: the session cookie of a logged-in person,
     * and the login and logout forms themselves. A post of nobody logged in is refused anyway (401).
     * A request that carries its credentials itself (Authorization) is not forgeable that way as
     * long as its body is JSON, which a cross-site form cannot send (a browser's remembered Basic
     * credentials ride along with a form, so a browser's form-typed body is refused; curl's is read
     * as JSON by {@link #treatBodyAsJson}).
     */
    private void csrfUnlessBasic(RoutingContext ctx) {
        boolean safe = ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD;
        if (!safe && ctx.request().headers().contains(HttpHeaders.AUTHORIZATION)) {
            String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                error(ctx, 415, "send the body as JSON (content-type: application/json) with HTTP Basic credentials");
                return;
            }
            ctx.next();
        } else if (safe || ctx.user() != null || ctx.request().path().equals("/login")
                || ctx.request().path().equals("/logout")) {
            // GETs get their token here (a cookie the page's scripts send back in X-XSRF-TOKEN).
            csrf.handle(ctx);
        } else {
            ctx.next();
        }
    }

    /** Who is logged in, and whether their decisions are sent: what the console shows. */
    private void whoami(RoutingContext ctx) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (ctx.user() == null) {
            body.putNull("user");
        } else {
            body.put("user", ctx.user().subject()).put("approver", approversOrEmpty().contains(ctx.user().subject()));
        }
        json(ctx, 200, body);
    }

    private java.util.Set<String> approversOrEmpty() {
        try {
            return api.approvers();
        } catch (RuntimeException unreadable) {
            LOG.warn("cannot read the constitution's approvers: {}", unreadable.getMessage());
            return java.util.Set.of();
        }
    }

    private void health(RoutingContext ctx) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode services = body.putObject("services");
        ObjectNode notes = Json.MAPPER.createObjectNode();
        boolean up = true;
        for (Service service : api.services()) {
            boolean healthy = service.healthy();
            // DEGRADED: up, but cannot do its work (a crew worker whose model endpoint is unreachable); the
            // note says what to fix. The stack's status stays UP: its other services keep working.
            services.put(service.name(), !healthy ? "DOWN" : service.degraded().isPresent() ? "DEGRADED" : "UP");
            service.healthNote().ifPresent(note -> notes.put(service.name(), note));
            up &= healthy;
        }
        api.pauseSwitch().ifPresent(pause -> {
            body.put("paused", pause.paused());
            pause.state().filter(state -> state.on()).ifPresent(state -> notes.put("stack", "PAUSED by " + state.by()
                    + " at " + state.at() + (state.reason().isEmpty() ? "" : " (" + state.reason() + ")")
                    + ": crews claim nothing and the assessor proposes nothing; hydra resume or POST /api/resume"));
        });
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
            task = CrewActions.standard().requireDeclared(Topics.TASK.fromTree(submittedTask(Json.parse(body.get()))))
                    .withSourceIfUnknown("http");
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

    /** What a person's task may say; the rest (source, replay, verdicts, signatures, attempts) is the pipeline's. */
    static final List<String> TASK_FIELDS = List.of("id", "type", "priority", "impact", "description", "crew", "task",
            "resources", "requires", "createdAt", "source");

    /**
     * The body of {@code POST /api/tasks}, refused when it names a field outside {@link #TASK_FIELDS} or a
     * source other than {@code http} (it came in over HTTP): who made a task and whether it is a replay
     * are not the submitter's to say, and a field that would be dropped must not look as if it counted.
     */
    private static JsonNode submittedTask(JsonNode node) {
        if (!(node instanceof ObjectNode task)) {
            return node; // the schema names what is wrong
        }
        List<String> foreign = new java.util.ArrayList<>();
        task.fieldNames().forEachRemaining(name -> {
            if (!TASK_FIELDS.contains(name)) {
                foreign.add(name);
            }
        });
        if (!foreign.isEmpty()) {
            throw new InvalidEventException("task: " + String.join(", ", foreign) + (foreign.size() == 1 ? " is" : " are")
                    + " not for the submitter to set; a task may name only " + TASK_FIELDS);
        }
        if (task.has("source") && !"http".equals(task.path("source").asText())) {
            throw new InvalidEventException("task: source is http for a task submitted over HTTP, was "
                    + task.path("source") + "; leave it out");
        }
        return task;
    }

    /** A body that must be a JSON object such as {"reason": TEXT}, or none. */
    private static JsonNode objectBody(RoutingContext ctx, String expected) {
        String text = ctx.body().asString();
        JsonNode body = Json.parse(text == null || text.isBlank() ? "{}" : text);
        if (!body.isObject()) {
            throw new InvalidEventException("the body must be a JSON object " + expected + ", was " + body.getNodeType());
        }
        return body;
    }

    /**
     * {@code POST /api/pause} and {@code /api/resume}, body {"reason": TEXT} or none: flips the stack's
     * switch in the name of who is logged in; crews stop claiming and the assessor stops proposing.
     */
    private void pause(RoutingContext ctx, boolean on) {
        JsonNode body;
        try {
            body = objectBody(ctx, "{\"reason\": TEXT}");
        } catch (InvalidEventException e) {
            error(ctx, 400, "body must be JSON {\"reason\": TEXT} or empty: " + e.getMessage());
            return;
        }
        if (api.pauseSwitch().isEmpty()) {
            error(ctx, 404, "this process follows no pause switch: use hydra pause / hydra resume");
            return;
        }
        try {
            var state = api.setPaused(on, ctx.user().subject(), body.path("reason").asText(""));
            json(ctx, 200, Json.MAPPER.createObjectNode().put("paused", state.on()).put("by", state.by())
                    .put("at", state.at().toString()).put("reason", state.reason()));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
        } catch (RuntimeException e) {
            error(ctx, 503, "could not " + (on ? "pause" : "resume") + ": " + e.getMessage());
        }
    }

    /** How many tool calls may be in progress at once (each may wait up to {@link #MAX_CALL_WAIT}). */
    static final int MAX_CALLS_IN_PROGRESS = 8;
    private final java.util.concurrent.atomic.AtomicInteger callsInProgress = new java.util.concurrent.atomic.AtomicInteger();
    private io.vertx.core.WorkerExecutor callThreads;

    /**
     * Tool calls run on threads of their own, at most {@link #MAX_CALLS_IN_PROGRESS} at once (429 beyond):
     * a call may wait minutes for its result, and on the shared worker pool a few logins' waiting calls
     * held up every other request, an approver's decision included.
     */
    private void callToolAside(RoutingContext ctx) {
        if (callsInProgress.incrementAndGet() > MAX_CALLS_IN_PROGRESS) {
            callsInProgress.decrementAndGet();
            error(ctx, 429, "already " + MAX_CALLS_IN_PROGRESS + " tool calls in progress on this console; send"
                    + " this one without ?wait= and follow it on " + Topics.TOOLCALLS_RESULTS.name() + ", or try later");
            return;
        }
        callThreads().executeBlocking(() -> {
            try {
                callTool(ctx);
            } catch (RuntimeException e) {
                LOG.warn("POST /api/toolcalls failed", e);
                if (!ctx.response().ended()) {
                    error(ctx, 500, "internal error: " + describe(e) + " (details in the stack's log)");
                }
            } finally {
                callsInProgress.decrementAndGet();
            }
            return null;
        }, false);
    }

    private synchronized io.vertx.core.WorkerExecutor callThreads() {
        if (callThreads == null) {
            callThreads = vertx.createSharedWorkerExecutor("hydra-console-calls", MAX_CALLS_IN_PROGRESS,
                    MAX_CALL_WAIT.plusMinutes(1).toSeconds(), TimeUnit.SECONDS);
        }
        return callThreads;
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
            operatorCalls = new OperatorCalls(api.clientProps(), "hydra-console-calls", api.operatorSigner());
        }
        return operatorCalls;
    }

    private void approvals(RoutingContext ctx) {
        ApprovalDesk desk = new ApprovalDesk(api.clientProps());
        boolean all = "true".equals(ctx.request().getParam("all"));
        json(ctx, 200, Json.tree(all ? desk.all() : desk.pending()));
    }

    /**
     * Body: {"reason": "why"}. The decision is made by the logged-in person, never by a name in the
     * request: one who is not among the constitution's approvers is refused here (403) and, should a
     * decision get through anyway, again by the filter.
     */
    private void decide(RoutingContext ctx, boolean approve) {
        JsonNode body;
        try {
            body = objectBody(ctx, "{\"reason\": TEXT}");
        } catch (InvalidEventException e) {
            error(ctx, 400, "body must be JSON {\"reason\": TEXT}: " + e.getMessage());
            return;
        }
        String by = ctx.user().subject();
        if (body.hasNonNull("by") && !body.path("by").asText().equals(by)) {
            error(ctx, 400, "by must be your login (" + by + ") or left out: a decision is made by who is logged in");
            return;
        }
        java.util.Set<String> approvers;
        try {
            approvers = api.approvers();
        } catch (RuntimeException e) {
            error(ctx, 503, "cannot read the constitution's approvers: " + e.getMessage());
            return;
        }
        if (!approvers.contains(by)) {
            error(ctx, 403, by + " is not one of the constitution's approvers " + approvers + "; nothing was decided");
            return;
        }
        try {
            var decision = new ApprovalDesk(api.clientProps()).decide(ctx.pathParam("id"), approve, by,
                    body.path("reason").asText(""));
            json(ctx, 202, Json.tree(decision));
        } catch (java.util.NoSuchElementException e) {
            error(ctx, 404, e.getMessage());
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
            if (callThreads != null) {
                callThreads.close();
            }
        }
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }
}
