package dev.hydra.assessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DebouncerTest {
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBurstOfChangesCausesOneAssessment() {
        AtomicInteger runs = new AtomicInteger();
        Debouncer debouncer = new Debouncer(vertx, Duration.ofMillis(200), runs::incrementAndGet);

        for (int i = 0; i < 50; i++) {
            debouncer.trigger();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 1);
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> runs.get() == 1);
        debouncer.trigger();
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
    }

    @Test
    void nothingRunsAfterCancel() {
        AtomicInteger runs = new AtomicInteger();
        Debouncer debouncer = new Debouncer(vertx, Duration.ofMillis(100), runs::incrementAndGet);

        debouncer.trigger();
        debouncer.cancel();
        debouncer.trigger();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> runs.get() == 0);
    }
}
