package dev.hydra.constitution;

import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the executors report what they did with a released item, and which of those reports the
 * audit records: the tool executor's results (run, or refused for a bad signature) on
 * hydra.toolcalls.results, and the crews' terminal or REFUSED statuses on hydra.tasks.status. The
 * filter's own DENIED results and the non-final statuses are not executions.
 */
final class Executions<R> {

    /** One execution (or refusal to execute) of an item, as the audit records it. */
    record Execution(String subjectId, String correlationId, boolean refused, String outcome, String actor) {
        String action() {
            return refused ? REFUSED : EXECUTED;
        }
    }

    static final String EXECUTED = "executed";
    static final String REFUSED = "execution_refused";
    /** An outcome is a summary in the audit, not the tool's whole output (that is on the results topic). */
    static final int MAX_OUTCOME = 500;

    static final Executions<ToolResult> TOOL_CALLS = new Executions<>(SubjectKind.TOOL_CALL, Topics.TOOLCALLS_RESULTS,
            ToolResult::toolCallId, result -> result.status().executed() || result.status() == ToolStatus.REFUSED
                    ? Optional.of(new Execution(result.toolCallId(), result.taskId(),
                    result.status() == ToolStatus.REFUSED, result.status() + ": " + result.output(), "tool-executor"))
                    : Optional.empty());

    static final Executions<TaskStatus> TASKS = new Executions<>(SubjectKind.TASK, Topics.TASK_STATUS,
            TaskStatus::taskId, status -> status.state().terminal() || status.state() == TaskState.REFUSED
                    ? Optional.of(new Execution(status.taskId(), status.taskId(), status.state() == TaskState.REFUSED,
                    status.state() + " (attempt " + status.attempt() + ")"
                            + (status.detail().isEmpty() ? "" : ": " + status.detail()),
                    status.node().isEmpty() ? "crew-" + status.crew().wireName() : status.node()))
                    : Optional.empty());

    private final SubjectKind kind;
    private final Topic<R> reports;
    private final Function<R, String> id;
    private final Function<R, Optional<Execution>> execution;

    private Executions(SubjectKind kind, Topic<R> reports, Function<R, String> id,
                       Function<R, Optional<Execution>> execution) {
        this.kind = kind;
        this.reports = reports;
        this.id = id;
        this.execution = execution;
    }

    SubjectKind kind() {
        return kind;
    }

    Topic<R> reports() {
        return reports;
    }

    String id(R report) {
        return id.apply(report);
    }

    /** The execution a report describes, or empty when it describes none. */
    Optional<Execution> execution(R report) {
        return execution.apply(report);
    }
}
