package dev.hydra.ops;

import java.util.Arrays;

/** Latency samples in milliseconds and their percentiles. */
final class Latencies {
    private long[] samples = new long[1024];
    private int size;

    synchronized void add(long millis) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = millis;
    }

    synchronized int count() {
        return size;
    }

    /** The q-quantile (0..1), nearest rank; NaN when empty. */
    synchronized double percentile(double q) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * size) - 1;
        return sorted[Math.max(0, Math.min(size - 1, rank))];
    }
}
