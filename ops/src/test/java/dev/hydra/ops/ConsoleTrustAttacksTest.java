package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Json;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Service;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.tools.McpServerConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hostile web client against the console's real HTTP server (Vert.x, the htpasswd logins, the
 * session and CSRF handlers) and a real broker behind it: logins, sessions, CSRF and what a
 * submitted tool call or task may say about itself. Each test states what must happen.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleTrustAttacksTest {
    private static final String APPROVER = "admin";
    private static final String APPROVER_PASSWORD = "approver-secret-1";
    private static final String OUTSIDER = "mallory";
    private static final String OUTSIDER_PASSWORD = "outsider-secret-1";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    /** Every route that changes state, with a body it would take. */
    private static final Map<String, String> STATE_CHANGING = new LinkedHashMap<>();

    static {
        STATE_CHANGING.put("/api/tasks", "{\"description\": \"d\", \"crew\": \"research\", \"priority\": 3,"
                + " \"task\": {\"action\": \"research_topic\", \"topic\": \"x\"}}");
        STATE_CHANGING.put("/api/toolcalls", "{\"server\": \"filesystem-mcp\", \"tool\": \"read_file\","
                + " \"arguments\": {\"path\": \"notes.md\"}}");
        STATE_CHANGING.put("/api/approvals/some-request/approve", "{\"reason\": \"r\"}");
        STATE_CHANGING.put("/api/approvals/some-request/reject", "{\"reason\": \"r\"}");
        STATE_CHANGING.put("/api/pause", "{\"reason\": \"r\"}");
        STATE_CHANGING.put("/api/resume", "{}");
        STATE_CHANGING.put("/api/memory/blocks/hydra_state", "{\"content\": \"c\"}");
    }

    private KafkaTestCluster kafka;
    private Vertx vertx;
    private ConsoleServer console;
    private String url;

    @BeforeAll
    void start() throws Exception {
        kafka = KafkaTestCluster.start();
        try (Admin admin = kafka.admin()) {
            new TopicBootstrap(admin, (short) 1).ensure(List.of(Topics.TASKS_PROPOSED, Topics.APPROVAL_REQUESTS,
                    Topics.APPROVAL_DECISIONS, Topics.TOOLCALLS_REQUESTED, Topics.TOOLCALLS_RESULTS));
        }
        Path dir = Files.createTempDirectory("console-attacks");
        Path logins = dir.resolve("approvers");
        Logins.put(logins, APPROVER, APPROVER_PASSWORD);
        Logins.put(logins, OUTSIDER, OUTSIDER_PASSWORD);
        vertx = Vertx.vertx();
        console = new ConsoleServer(vertx, new Api(kafka.clientProps(), logins), List.of(), false);
        console.start("127.0.0.1", 0);
        url = "http://127.0.0.1:" + console.port();
    }

    @AfterAll
    void stop() throws Exception {
        if (console != null) {
            console.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    // ------------------------------------------------------------------ logins

    @Test
    void everyStateChangingRouteRefusesNoLoginAndAWrongPassword() throws Exception {
        for (Map.Entry<String, String> route : STATE_CHANGING.entrySet()) {
            assertThat(post(route.getKey(), route.getValue(), Map.of()).statusCode())
                    .as("%s without a login", route.getKey()).isEqualTo(401);
            assertThat(post(route.getKey(), route.getValue(), basic(APPROVER, "not-the-password")).statusCode())
                    .as("%s with a wrong password", route.getKey()).isEqualTo(401);
            assertThat(post(route.getKey(), route.getValue(), basic("nobody", APPROVER_PASSWORD)).statusCode())
                    .as("%s for a login that does not exist", route.getKey()).isEqualTo(401);
        }
    }

    /**
     * A request that carries HTTP Basic credentials skips the CSRF check (a cross-site form cannot set
     * them), so those credentials must be what authenticates it: a wrong password beside a logged-in
     * session's cookie must not ride on the session, and another login's credentials must act as that
     * login, not as the session's.
     */
    @Test
    void basicCredentialsBesideALoggedInSessionAreCheckedAndActForThemselves() throws Exception {
        Session admin = login(APPROVER, APPROVER_PASSWORD);
        Map<String, String> wrongPassword = new LinkedHashMap<>(basic(APPROVER, "not-the-password"));
        wrongPassword.put("cookie", admin.cookies());
        for (Map.Entry<String, String> route : STATE_CHANGING.entrySet()) {
            assertThat(post(route.getKey(), route.getValue(), wrongPassword).statusCode())
                    .as("%s with a wrong password and the approver's session cookie", route.getKey()).isEqualTo(401);
        }
        Map<String, String> outsider = new LinkedHashMap<>(basic(OUTSIDER, OUTSIDER_PASSWORD));
        outsider.put("cookie", admin.cookies());
        HttpResponse<String> decided = post("/api/approvals/some-request/approve", "{\"reason\": \"r\"}", outsider);
        assertThat(decided.statusCode()).as("decided as " + OUTSIDER + ", who is no approver").isEqualTo(403);
        assertThat(error(decided)).contains("mallory is not one of the constitution's approvers");
    }

    /** A session id handed out before the login (planted by someone else) must not become the logged-in one. */
    @Test
    void aSessionCookieFromBeforeTheLoginIsNotLoggedInAfterIt() throws Exception {
        Session before = fresh(get("/login", Map.of()));
        Session after = before.login(APPROVER, APPROVER_PASSWORD);
        assertThat(Json.parse(get("/api/whoami", Map.of("cookie", after.cookies())).body()).path("user").asText())
                .isEqualTo(APPROVER);
        assertThat(after.session()).isNotEqualTo(before.session());
        JsonNode planted = Json.parse(get("/api/whoami", Map.of("cookie", "hydra.session=" + before.session())).body());
        assertThat(planted.path("user").isNull()).as("the pre-login session id after the login").isTrue();
    }

    @Test
    void aPostOfALoggedInSessionNeedsItsOwnCsrfToken() throws Exception {
        Session admin = login(APPROVER, APPROVER_PASSWORD).refreshed();
        Session outsider = login(OUTSIDER, OUTSIDER_PASSWORD).refreshed();
        String body = "{\"reason\": \"r\"}";

        assertThat(post("/api/pause", body, Map.of("cookie", admin.cookies(), "content-type", "application/json"))
                .statusCode()).as("no token").isEqualTo(403);
        // The other session's token, in header and cookie alike (a double-submit check alone would pass it).
        Map<String, String> foreign = Map.of("cookie", "hydra.session=" + admin.session() + "; XSRF-TOKEN="
                + outsider.xsrf(), "x-xsrf-token", outsider.xsrf(), "content-type", "application/json");
        assertThat(post("/api/pause", body, foreign).statusCode()).as("another session's token").isEqualTo(403);
        Map<String, String> own = Map.of("cookie", admin.cookies(), "x-xsrf-token", admin.xsrf(),
                "content-type", "application/json");
        assertThat(post("/api/approvals/some-request/approve", body, own).statusCode())
                .as("its own token: past login and CSRF to the approvals desk").isEqualTo(404);
    }

    /**
     * A decision goes to the filter only for a request still pending: one already rejected (or
     * approved, or expired) is answered 409 naming its state, an unknown id 404, and neither publishes
     * a decision.
     */
    @Test
    void aDecidedRequestIsNotDecidedAgainAndAnUnknownOneIsNotFound() throws Exception {
        var rejected = new dev.hydra.topics.events.ApprovalRequest("request-rejected",
                dev.hydra.topics.events.SubjectKind.TASK, "task-rejected", Map.of("action", "run_sql", "sql", "DROP TABLE t"),
                "0".repeat(64), "never_delete_databases", "drops a table", dev.hydra.topics.events.ApprovalStatus.REJECTED,
                java.time.Instant.now(), java.time.Instant.now().plus(Duration.ofHours(1)), "shaun", "no");
        try (EventProducer producer = new EventProducer(kafka.clientProps(), "console-attacks-requests")) {
            producer.send(Topics.APPROVAL_REQUESTS, rejected.id(), rejected, rejected.subjectId()).get(30, TimeUnit.SECONDS);
        }
        Map<String, String> approver = basic(APPROVER, APPROVER_PASSWORD);
        for (String verb : List.of("approve", "reject")) {
            HttpResponse<String> again = post("/api/approvals/request-rejected/" + verb, "{\"reason\": \"again\"}",
                    approver);
            assertThat(again.statusCode()).as("%s a rejected request", verb).isEqualTo(409);
            assertThat(error(again)).contains("already REJECTED");
        }
        HttpResponse<String> unknown = post("/api/approvals/..%2F..%2Fetc%2Fpasswd/approve", "{}", approver);
        assertThat(unknown.statusCode()).isIn(400, 404);
        List<String> decided = new java.util.ArrayList<>();
        dev.hydra.topics.TopicReader.read(kafka.clientProps(), Topics.APPROVAL_DECISIONS.name(), java.util.Optional.empty(),
                Duration.ofSeconds(20), record -> decided.add(record.key()));
        assertThat(decided).as("decisions published").isEmpty();
    }

    /**
     * A logged-in person's tool call may wait up to 2 minutes for its result ({@code ?wait=}). Those
     * waits must not hold up everyone else: an approver deciding, a submit, the approval queue.
     */
    @Test
    void toolCallsWaitingForTheirResultsDoNotHoldUpTheRestOfTheApi() throws Exception {
        Map<String, String> outsider = basic(OUTSIDER, OUTSIDER_PASSWORD);
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/api/toolcalls?wait=20s"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"server\": \"filesystem-mcp\", \"tool\": \"read_file\", \"arguments\": {\"path\": \"w" + i + ".md\"}}"));
            outsider.forEach(request::header);
            waiting.add(HttpClient.newHttpClient().sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(2_000); // the waits have started (nothing answers tool calls here)
        long started = System.nanoTime();
        HttpResponse<String> decided = post("/api/approvals/some-request/approve", "{\"reason\": \"r\"}",
                basic(APPROVER, APPROVER_PASSWORD));
        HttpResponse<String> queue = get("/api/approvals", Map.of());
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(decided.statusCode()).isEqualTo(404);
        assertThat(queue.statusCode()).isEqualTo(200);
        assertThat(tookMs).as("an approver's decision and the queue while 24 calls wait").isLessThan(10_000);
        for (var call : waiting) {
            assertThat(call.get(90, TimeUnit.SECONDS).statusCode()).isIn(202, 429);
        }
    }

    // ------------------------------------------------------------------ bodies

    @Test
    void deeplyNestedOrMalformedBodiesAreRefusedWithAJsonErrorNotAFailure() throws Exception {
        String deep = "{\"description\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        for (String route : List.of("/api/tasks", "/api/toolcalls", "/api/approvals/some-request/approve",
                "/api/pause")) {
            for (String body : List.of(deep, "{\"description\": ", "[1, 2]", "\"just a string\"")) {
                HttpResponse<String> answer = post(route, body, basic(APPROVER, APPROVER_PASSWORD));
                assertThat(answer.statusCode()).as("%s with %.40s", route, body).isEqualTo(400);
                assertThat(error(answer)).isNotBlank();
            }
        }
    }

    /**
     * The executor runs a server by its exact name and a built-in server's tools by the vocabulary: a
     * call that names them otherwise parks for a person or fails after an approval. The API says so at
     * once, naming what it would take.
     */
    @Test
    void aToolCallNamingAServerOrToolTheStackDoesNotRunIsRefusedNamingWhatItRuns() throws Exception {
        Map<String, String> approver = basic(APPROVER, APPROVER_PASSWORD);
        for (String server : List.of("FILESYSTEM-MCP", " shell", "filesystem-mcp ", "git-mcp\t")) {
            HttpResponse<String> answer = post("/api/toolcalls", "{\"server\": " + Json.write(server)
                    + ", \"tool\": \"read_file\", \"arguments\": {\"path\": \"notes.md\"}}", approver);
            assertThat(answer.statusCode()).as("server '%s'", server).isEqualTo(400);
            assertThat(error(answer)).contains("server").contains("filesystem-mcp");
        }
        HttpResponse<String> unknownTool = post("/api/toolcalls", "{\"server\": \"filesystem-mcp\", \"tool\":"
                + " \"format_disk\", \"arguments\": {}}", approver);
        assertThat(unknownTool.statusCode()).isEqualTo(400);
        assertThat(error(unknownTool)).contains("tool 'format_disk'").contains("read_file").contains("write_file");
    }

    /**
     * Who made an item and what it is are the pipeline's to say: a submitted tool call or task that
     * names its own agent or source, claims to be a replay, or carries a verdict, signature, approver
     * or attempt of its own is refused naming the field, not silently taken or dropped.
     */
    @Test
    void aSubmittedCallOrTaskCannotSayWhatOnlyThePipelineSays() throws Exception {
        Map<String, String> outsider = basic(OUTSIDER, OUTSIDER_PASSWORD);
        String call = "{\"server\": \"filesystem-mcp\", \"tool\": \"read_file\", \"arguments\": {\"path\": \"n.md\"}, ";
        Map<String, String> callFields = Map.of(
                "agent", "\"agent\": \"coder\"",
                "replay", "\"replay\": {\"runId\": \"r\", \"of\": \"x\", \"dryRun\": false}",
                "signature", "\"signature\": \"v1;kid=0;verdict=ALLOW\"",
                "verdict", "\"verdict\": \"ALLOW\"",
                "approvedBy", "\"approvedBy\": \"admin\"",
                "hydra-attempt", "\"hydra-attempt\": 9");
        for (Map.Entry<String, String> field : callFields.entrySet()) {
            HttpResponse<String> answer = post("/api/toolcalls", call + field.getValue() + "}", outsider);
            assertThat(answer.statusCode()).as("a tool call with %s", field.getKey()).isEqualTo(400);
            assertThat(error(answer)).contains(field.getKey());
        }
        String task = "{\"description\": \"d\", \"crew\": \"research\", \"priority\": 3,"
                + " \"task\": {\"action\": \"research_topic\", \"topic\": \"x\"}, ";
        Map<String, String> taskFields = Map.of(
                "source", "\"source\": \"state-assessor\"",
                "replay", "\"replay\": {\"runId\": \"r\", \"of\": \"x\", \"dryRun\": true}",
                "signature", "\"signature\": \"v1\"",
                "attempt", "\"attempt\": 2",
                "verdict", "\"verdict\": \"ALLOW\"");
        for (Map.Entry<String, String> field : taskFields.entrySet()) {
            HttpResponse<String> answer = post("/api/tasks", task + field.getValue() + "}", outsider);
            assertThat(answer.statusCode()).as("a task with %s", field.getKey()).isEqualTo(400);
            assertThat(error(answer)).contains(field.getKey());
        }
        HttpResponse<String> plain = post("/api/tasks", task + "\"source\": \"http\"}", outsider);
        assertThat(plain.statusCode()).as("the source it would get anyway").isEqualTo(202);
    }

    /** A task whose action its crew does not run is refused before anything is produced, with the crew's actions. */
    @Test
    void aTaskWithAnActionItsCrewDoesNotRunIsRefusedWithTheCrewsActionsAndNothingIsSent() throws Exception {
        HttpResponse<String> answer = post("/api/tasks", "{\"id\": \"console-tidy\", \"description\": \"d\","
                + " \"crew\": \"development\", \"priority\": 3, \"task\": {\"action\": \"tidy\"}}",
                basic(OUTSIDER, OUTSIDER_PASSWORD));
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(error(answer)).contains("task.action 'tidy'", "crew development",
                "[complete_feature, fix_bug, update_documentation, noop]");
        List<String> proposed = new java.util.ArrayList<>();
        dev.hydra.topics.TopicReader.read(kafka.clientProps(), Topics.TASKS_PROPOSED.name(), java.util.Optional.empty(),
                Duration.ofSeconds(20), record -> proposed.add(record.key()));
        assertThat(proposed).as("tasks produced").doesNotContain("console-tidy");
    }

    // ------------------------------------------------------------------ plumbing

    private Session fresh(HttpResponse<?> response) {
        return new Session(new LinkedHashMap<>()).with(response);
    }

    private Session login(String user, String password) throws Exception {
        return fresh(get("/login", Map.of())).login(user, password);
    }

    /** Cookies of one browser: the session and its CSRF token. */
    private final class Session {
        private final Map<String, String> cookies;

        private Session(Map<String, String> cookies) {
            this.cookies = cookies;
        }

        Session with(HttpResponse<?> response) {
            Map<String, String> next = new LinkedHashMap<>(cookies);
            for (String set : response.headers().allValues("set-cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                next.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
            return new Session(next);
        }

        String session() {
            return cookies.get("hydra.session");
        }

        String xsrf() {
            return java.net.URLDecoder.decode(cookies.get("XSRF-TOKEN"), StandardCharsets.UTF_8);
        }

        String cookies() {
            return String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }

        Session login(String user, String password) throws Exception {
            String form = "username=" + enc(user) + "&password=" + enc(password) + "&X-XSRF-TOKEN=" + enc(xsrf());
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/login"))
                    .header("cookie", cookies()).header("content-type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as("login of " + user).isEqualTo(302);
            assertThat(answer.headers().firstValue("location")).hasValue("/");
            return with(answer);
        }

        /** After a GET as the logged-in session: its token for the next post. */
        Session refreshed() throws Exception {
            return with(get("/api/whoami", Map.of("cookie", cookies())));
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static Map<String, String> basic(String user, String password) {
        return Map.of("authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)),
                "content-type", "application/json");
    }

    private static String error(HttpResponse<String> answer) {
        return Json.parse(answer.body()).path("error").asText();
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The stack as the console sees it: a real broker behind, the logins file, approver {@value APPROVER}. */
    private static final class Api implements StackApi {
        private final Properties props;
        private final Path logins;
        private final EventProducer producer;

        Api(Properties props, Path logins) {
            this.props = props;
            this.logins = logins;
            this.producer = new EventProducer(props, "console-attacks");
        }

        @Override
        public List<Service> services() {
            return List.of();
        }

        @Override
        public List<TopicBootstrap.TopicState> topicStates() {
            return List.of();
        }

        @Override
        public Properties clientProps() {
            return props;
        }

        @Override
        public void submit(Task task) throws Exception {
            producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id()).get(30, TimeUnit.SECONDS);
        }

        @Override
        public Set<String> approvers() {
            return Set.of(APPROVER);
        }

        @Override
        public Path loginsFile() {
            return logins;
        }

        @Override
        public List<McpServerConfig> mcpServers() {
            return List.of();
        }

        @Override
        public dev.hydra.topics.signing.WriterSigner operatorSigner() {
            return dev.hydra.topics.signing.TestSigning.writerSigner(dev.hydra.topics.signing.WriterSignature.OPERATOR);
        }
    }
}
