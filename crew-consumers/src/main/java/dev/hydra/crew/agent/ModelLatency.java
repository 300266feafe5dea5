package dev.hydra.crew.agent;

import dev.hydra.crew.CrewMetrics;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * How long one node's model calls take: each call is observed in {@code hydra_inference_latency_seconds}
 * (per crew, node and model) and kept in a window of the last {@link #WINDOW} calls, whose 95th
 * percentile the node announces on {@code hydra.crew.nodes}, so the assessor's slow-inference rule
 * works on the embedded stack without a Prometheus server. A failed call counts too: a model that
 * times out is slow.
 */
public final class ModelLatency {
    public static final int WINDOW = 200;

    /** What the window holds: how many calls and their p95 in ms (0 when none). */
    public record Figures(int calls, double p95Ms) {
    }

    private final String crew;
    private final String node;
    private final String model;
    private final Deque<Long> window = new ArrayDeque<>(WINDOW);

    public ModelLatency(String crew, String node, String model) {
        this.crew = crew;
        this.node = node;
        this.model = model;
        CrewMetrics.INFERENCE_LATENCY.labels(crew, node, model);
    }

    public synchronized void record(long nanos) {
        if (window.size() == WINDOW) {
            window.removeFirst();
        }
        window.addLast(nanos);
        CrewMetrics.INFERENCE_LATENCY.labels(crew, node, model).observe(nanos / 1e9);
    }

    /** The nearest-rank 95th percentile of the window. */
    public synchronized Figures figures() {
        if (window.isEmpty()) {
            return new Figures(0, 0);
        }
        long[] sorted = window.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(0.95 * sorted.length) - 1;
        return new Figures(sorted.length, sorted[Math.max(0, rank)] / 1e6);
    }

    /** {@code model} with each call timed here. */
    public ChatModel timing(ChatModel model) {
        return new ForwardingChatModel(model) {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                long start = System.nanoTime();
                try {
                    return delegate.chat(request);
                } finally {
                    record(System.nanoTime() - start);
                }
            }
        };
    }
}
