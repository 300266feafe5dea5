package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Json;
import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import dev.hydra.topics.events.SubjectKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code hydra service console} in its own JVM, as the compose stack's console container runs it, with
 * the heap the hydra script gives it: the approval page, the live view and the approval API, read from
 * the topics of a real broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleServiceTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Pattern PORT = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private KafkaTestCluster kafka;
    private ChildJvm console;
    private String url;

    @BeforeAll
    void startBrokerAndConsole() throws Exception {
        kafka = KafkaTestCluster.start();
        Path dir = Files.createTempDirectory("console-service");
        console = ChildJvm.start("console", dir.resolve("console.log"), "running; health and metrics on",
                List.of("-Xmx128m", "-XX:MaxMetaspaceSize=128m"),
                "service", "console", "--bootstrap", kafka.bootstrap(), "--http-port", "0", "--data-dir", dir.toString());
        Matcher port = PORT.matcher(console.awaitReady(PATIENCE));
        assertThat(port.find()).isTrue();
        url = "http://127.0.0.1:" + port.group(1);
    }

    @AfterAll
    void stop() {
        if (console != null) {
            console.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void reportsItsLiveViewInHealth() throws Exception {
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(Json.parse(health.body()).path("services").path("console").asText()).isEqualTo("UP");
    }

    @Test
    void servesTheApprovalPage() throws Exception {
        HttpResponse<String> page = get("/console/index.html");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).contains("text/html"));
    }

    @Test
    void showsAPendingApprovalInTheApiAndTheLiveView() throws Exception {
        ApprovalRequest request = new ApprovalRequest("approval-console-service", SubjectKind.TASK, "task-drop-old-db",
                Map.of("action", "run_sql", "sql", "DROP DATABASE letta_old"), "0".repeat(64), "no_database_drops",
                "drops a database", ApprovalStatus.PENDING, Instant.now(), Instant.now().plus(Duration.ofHours(1)), null, null);
        try (EventProducer producer = new EventProducer(kafka.clientProps(), "console-service-test")) {
            producer.send(Topics.APPROVAL_REQUESTS, request.id(), request, request.subjectId()).get();
        }
        await("the request listed by /api/approvals").atMost(PATIENCE).untilAsserted(() ->
                assertThat(Json.parse(get("/api/approvals").body()).findValuesAsText("id")).contains(request.id()));
        await("the request in the live view").atMost(PATIENCE).untilAsserted(() -> {
            JsonNode view = Json.parse(get("/api/view").body());
            assertThat(view.path("approvals").findValuesAsText("id")).contains(request.id());
        });
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
