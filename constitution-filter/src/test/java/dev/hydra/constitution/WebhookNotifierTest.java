package dev.hydra.constitution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import dev.hydra.topics.events.SubjectKind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {
    private HttpServer server;
    private final Queue<String> bodies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger calls = new AtomicInteger();
    /** Status codes to answer with, in order; the last one repeats. */
    private volatile List<Integer> answers = List.of(200);

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/webhook/human_approval_needed", exchange -> {
            int call = calls.getAndIncrement();
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(answers.get(Math.min(call, answers.size() - 1)), -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private URI webhook() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhook/human_approval_needed");
    }

    private static ApprovalRequest request(String id) {
        return new ApprovalRequest(id, SubjectKind.TASK, "t-1", java.util.Map.of("id", "t-1"), "ab", "c", "r",
                ApprovalStatus.PENDING, FilterDriver.START, FilterDriver.START.plusSeconds(60), "", "");
    }

    @Test
    void postsTheRequestAsJsonAndRetriesServerErrorsWithBackoff() {
        answers = List.of(503, 500, 200);
        try (WebhookNotifier notifier = new WebhookNotifier(webhook(), 5, Duration.ofMillis(10))) {
            notifier.requested(request("r-1"));

            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 3);
            ApprovalRequest posted = Topics.APPROVAL_REQUESTS.valueSerde().fromJson(bodies.peek());
            assertThat(posted.id()).isEqualTo("r-1");
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> calls.get() == 3);
        }
    }

    @Test
    void givesUpAfterTheConfiguredAttemptsAndNeverThrows() {
        answers = List.of(503);
        try (WebhookNotifier notifier = new WebhookNotifier(webhook(), 3, Duration.ofMillis(10))) {
            notifier.requested(request("r-2"));

            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 3);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> calls.get() == 3);
        }
    }

    @Test
    void doesNotRetryAnAnswerThatWillNotChange() {
        answers = List.of(400);
        try (WebhookNotifier notifier = new WebhookNotifier(webhook(), 5, Duration.ofMillis(10))) {
            notifier.requested(request("r-3"));

            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> calls.get() == 1);
        }
    }

    @Test
    void survivesAWebhookThatIsNotListening() {
        URI nobody = webhook();
        server.stop(0);
        try (WebhookNotifier notifier = new WebhookNotifier(nobody, 2, Duration.ofMillis(10))) {
            notifier.requested(request("r-4"));
        }
        assertThat(calls.get()).isZero();
    }
}
