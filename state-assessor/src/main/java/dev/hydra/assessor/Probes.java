package dev.hydra.assessor;

import dev.hydra.topics.events.ServiceHealth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Health probes over Vert.x: an HTTP GET that must answer 2xx, or a TCP connect that must be
 * accepted, each within the probe timeout. A probe never fails: a refused connection, a timeout or
 * a bad status is an unhealthy {@link ServiceHealth} whose detail says which. A service is declared
 * failed only after {@code attempts} probes in a row fail, because a failed service means a P1
 * restart and one lost packet (or a cold JVM's first request) should not restart anything.
 */
final class Probes implements AutoCloseable {
    private final WebClient web;
    private final NetClient net;
    private final long timeoutMs;
    private final int attempts;

    Probes(Vertx vertx, WebClient web, Duration timeout, int attempts) {
        this.web = web;
        this.timeoutMs = timeout.toMillis();
        this.attempts = Math.max(1, attempts);
        this.net = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) timeoutMs));
    }

    Future<ServiceHealth> probe(ServiceTarget target) {
        return probe(target, attempts);
    }

    private Future<ServiceHealth> probe(ServiceTarget target, int attemptsLeft) {
        return once(target).compose(health -> health.healthy() || attemptsLeft <= 1 ? Future.succeededFuture(health)
                : probe(target, attemptsLeft - 1));
    }

    private Future<ServiceHealth> once(ServiceTarget target) {
        long started = System.nanoTime();
        Future<String> check = target.kind() == ServiceTarget.Kind.HTTP ? http(target.address()) : tcp(target);
        return check.timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .map(detail -> new ServiceHealth(target.name(), true, detail, millisSince(started)))
                .otherwise(error -> new ServiceHealth(target.name(), false, describe(error), millisSince(started)));
    }

    private Future<String> http(String url) {
        return web.getAbs(url).timeout(timeoutMs).send().compose(response -> {
            int status = response.statusCode();
            return status >= 200 && status < 300 ? Future.succeededFuture("HTTP " + status)
                    : Future.failedFuture("HTTP " + status);
        });
    }

    private Future<String> tcp(ServiceTarget target) {
        return net.connect(target.port(), target.host()).compose(socket -> socket.close()
                .map(closed -> "accepted connection on " + target.address()));
    }

    private static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        net.close();
    }
}
