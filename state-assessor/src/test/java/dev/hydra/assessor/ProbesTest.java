package dev.hydra.assessor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.ServiceHealth;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Probes against real servers on 127.0.0.1. */
class ProbesTest {
    private static Vertx vertx;
    /** Generous for servers that answer (the machine is shared and slow); short for the one that never does. */
    private static Probes probes;
    private static Probes impatient;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        probes = new Probes(vertx, WebClient.create(vertx), Duration.ofSeconds(10), 2);
        impatient = new Probes(vertx, WebClient.create(vertx), Duration.ofMillis(500), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        probes.close();
        impatient.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static ServiceHealth probe(ServiceTarget target) throws Exception {
        return probe(probes, target);
    }

    private static ServiceHealth probe(Probes with, ServiceTarget target) throws Exception {
        return with.probe(target).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void tcpServiceIsHealthyWhileItAcceptsConnectionsAndFailedOnceItStops() throws Exception {
        // A plain server socket: its close() unbinds before it returns, while a Vert.x NetServer's close
        // can complete while its acceptor still takes one more connection (a false "up").
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServiceTarget target = ServiceTarget.tcp("postgres", "127.0.0.1:" + server.getLocalPort());

        ServiceHealth up = probe(target);
        server.close();
        ServiceHealth down = probe(target);

        assertThat(up.healthy()).isTrue();
        assertThat(up.detail()).contains("accepted connection");
        assertThat(down.healthy()).isFalse();
        assertThat(down.name()).isEqualTo("postgres");
    }

    @Test
    void httpServiceThatNeverAnswersFailsAfterTheProbeTimeout() throws Exception {
        HttpServer silent = await(vertx.createHttpServer().requestHandler(req -> { }).listen(0, "127.0.0.1"));
        try {
            long started = System.nanoTime();
            ServiceHealth health = probe(impatient, ServiceTarget.http("slow", "http://127.0.0.1:" + silent.actualPort() + "/"));

            assertThat(health.healthy()).isFalse();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(400L, 5_000L);
        } finally {
            await(silent.close());
        }
    }

    @Test
    void onlyTwoHundredAnswersAreHealthy() throws Exception {
        HttpServer server = await(vertx.createHttpServer().requestHandler(req -> req.response()
                .setStatusCode(Integer.parseInt(req.path().substring(1))).end()).listen(0, "127.0.0.1"));
        try {
            String base = "http://127.0.0.1:" + server.actualPort() + "/";
            assertThat(probe(ServiceTarget.http("a", base + "204"))).extracting(ServiceHealth::healthy, ServiceHealth::detail)
                    .containsExactly(true, "HTTP 204");
            assertThat(probe(ServiceTarget.http("b", base + "500")).detail()).isEqualTo("HTTP 500");
            assertThat(probe(ServiceTarget.http("c", base + "404")).healthy()).isFalse();
        } finally {
            await(server.close());
        }
    }

    @Test
    void oneFailedProbeIsRetriedBeforeTheServiceCountsAsFailed() throws Exception {
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer flaky = await(vertx.createHttpServer().requestHandler(req -> req.response()
                .setStatusCode(requests.incrementAndGet() == 1 ? 503 : 200).end()).listen(0, "127.0.0.1"));
        try {
            ServiceHealth health = probe(ServiceTarget.http("flaky", "http://127.0.0.1:" + flaky.actualPort() + "/"));

            assertThat(health.healthy()).isTrue();
            assertThat(requests.get()).isEqualTo(2);
        } finally {
            await(flaky.close());
        }
    }
}
