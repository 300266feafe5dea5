package dev.hydra.ops;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The Prometheus text exposition of every metric registered in this JVM. */
final class MetricsText {
    private static volatile boolean jvmRegistered;

    private MetricsText() {
    }

    static synchronized void registerJvmMetrics() {
        if (!jvmRegistered) {
            DefaultExports.initialize();
            jvmRegistered = true;
        }
    }

    static String scrape() {
        StringWriter out = new StringWriter();
        try {
            TextFormat.write004(out, CollectorRegistry.defaultRegistry.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
