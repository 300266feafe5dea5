package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.crew.agent.ModelLatency;
import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

/** A node's model-call latency: the p95 it announces and the histogram Prometheus scrapes. */
class ModelLatencyTest {
    @Test
    void theP95IsOverTheLastCallsOfTheWindowAndEveryCallIsInTheHistogram() {
        ModelLatency latency = new ModelLatency("research", "node-latency-test", "m");
        assertThat(latency.figures()).isEqualTo(new ModelLatency.Figures(0, 0));
        for (int ms = 1; ms <= 100; ms++) {
            latency.record(ms * 1_000_000L);
        }
        assertThat(latency.figures()).isEqualTo(new ModelLatency.Figures(100, 95.0));
        for (int i = 0; i < ModelLatency.WINDOW; i++) {
            latency.record(2_000_000_000L);
        }
        assertThat(latency.figures()).as("older calls left the window")
                .isEqualTo(new ModelLatency.Figures(ModelLatency.WINDOW, 2_000.0));
        assertThat(CollectorRegistry.defaultRegistry.getSampleValue("hydra_inference_latency_seconds_count",
                new String[] {"crew", "node", "model"}, new String[] {"research", "node-latency-test", "m"}))
                .isEqualTo(100.0 + ModelLatency.WINDOW);
    }
}
