package dev.hydra.crew.agent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The guards of one task: how many model calls, tool calls and tokens it may spend. Crossing a
 * limit ends the task as FAILED with the limit named. Tool calls over the limit are refused to the
 * model and the next model call stops the task, because an exception thrown inside a tool would
 * only be shown to the model.
 */
public final class TaskBudget {

    /** A task crossed one of its limits. */
    public static final class ExceededException extends RuntimeException {
        public ExceededException(String message) {
            super(message);
        }
    }

    private final int maxIterations;
    private final int maxToolCalls;
    private final long tokenBudget;
    private final AtomicInteger iterations = new AtomicInteger();
    private final AtomicInteger toolCalls = new AtomicInteger();
    private final AtomicLong tokens = new AtomicLong();
    private volatile String exceeded;

    public TaskBudget(int maxIterations, int maxToolCalls, long tokenBudget) {
        this.maxIterations = maxIterations;
        this.maxToolCalls = maxToolCalls;
        this.tokenBudget = tokenBudget;
    }

    /** Before each model call. */
    public void beforeModelCall() {
        if (exceeded != null) {
            throw new ExceededException(exceeded);
        }
        int n = iterations.incrementAndGet();
        if (n > maxIterations) {
            exceed("maximum agent iterations exceeded: " + maxIterations + " model calls allowed per task");
        }
    }

    /** After each model call. */
    public void spent(long tokensOfCall) {
        long total = tokens.addAndGet(tokensOfCall);
        if (total > tokenBudget) {
            exceed("token budget exceeded: " + total + " tokens used, " + tokenBudget + " allowed per task");
        }
    }

    /** Before each tool call; false (and the task marked as over its limit) when there is none left. */
    public boolean tryToolCall() {
        if (toolCalls.incrementAndGet() > maxToolCalls) {
            exceeded = "maximum tool calls exceeded: " + maxToolCalls + " allowed per task";
            return false;
        }
        return true;
    }

    private void exceed(String reason) {
        exceeded = reason;
        throw new ExceededException(reason);
    }

    public long tokens() {
        return tokens.get();
    }

    public int iterations() {
        return iterations.get();
    }

    public int toolCalls() {
        return Math.min(toolCalls.get(), maxToolCalls);
    }

    /** The limit that was crossed, or null. */
    public String exceeded() {
        return exceeded;
    }
}
