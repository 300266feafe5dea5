package dev.hydra.constitution;

import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each new approval request as JSON to a webhook (the seed's n8n {@code human_approval_needed}
 * hook). Sends are asynchronous on the notifier's own thread; connection failures, 429 and 5xx are
 * retried a bounded number of times with doubling waits, other answers are final. Failures are
 * logged and never reach the pipeline.
 */
final class WebhookNotifier implements ApprovalNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI webhook;
    private final int attempts;
    private final Duration firstBackoff;
    private final ScheduledExecutorService executor;
    private final HttpClient client;

    WebhookNotifier(URI webhook, int attempts, Duration firstBackoff) {
        this.webhook = webhook;
        this.attempts = attempts;
        this.firstBackoff = firstBackoff;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "hydra-approval-webhook");
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(REQUEST_TIMEOUT).build();
    }

    @Override
    public void requested(ApprovalRequest request) {
        byte[] body = Topics.APPROVAL_REQUESTS.valueSerde().serialize(Topics.APPROVAL_REQUESTS.name(), request);
        HttpRequest post = HttpRequest.newBuilder(webhook)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header(EventHeaders.TYPE, Topics.APPROVAL_REQUESTS.valueSerde().eventType())
                .header(EventHeaders.CORRELATION_ID, request.id())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            executor.execute(() -> send(post, request.id(), 1));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("approval webhook closed; request {} not notified", request.id());
        }
    }

    private void send(HttpRequest post, String requestId, int attempt) {
        client.sendAsync(post, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error == null && response.statusCode() / 100 == 2) {
                LOG.debug("approval request {} notified to {}", requestId, webhook);
                return;
            }
            String what = error != null ? error.toString() : "HTTP " + response.statusCode();
            boolean retriable = error != null || response.statusCode() == 429 || response.statusCode() >= 500;
            if (!retriable || attempt >= attempts) {
                LOG.warn("approval request {} not notified to {} after {} attempt(s): {}", requestId, webhook,
                        attempt, what);
                return;
            }
            long waitMs = firstBackoff.toMillis() << Math.min(attempt - 1, 16);
            LOG.info("approval webhook attempt {} for {} failed ({}); retrying in {} ms", attempt, requestId, what,
                    waitMs);
            try {
                executor.schedule(() -> send(post, requestId, attempt + 1), waitMs, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.warn("approval webhook closed; request {} not notified", requestId);
            }
        });
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
