package dev.hydra.crew;

/**
 * Carries out one kind of task (one {@code task.action}) for a crew. Implementations are plain Java
 * and know nothing of Kafka: the worker claims, reports and acknowledges around them.
 */
@FunctionalInterface
public interface TaskExecutor {
    /**
     * Does the work. A task that cannot be done returns a failed outcome with the reason; an
     * exception means something unexpected went wrong (counted as an agent error).
     * Side effects go through {@link TaskContext#step} so that a redelivery never repeats them.
     */
    TaskOutcome execute(TaskContext context) throws Exception;
}
