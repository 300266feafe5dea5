package dev.hydra.constitution;

import dev.hydra.constitution.rules.Constitution;
import dev.hydra.constitution.rules.Ruling;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.actions.CrewActions;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.SubjectKind;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.VerdictSignature;
import dev.hydra.topics.signing.VerdictSigner;
import java.time.Instant;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What the filter needs to know about one kind of gated item (tasks, tool calls): where it comes
 * from, where it goes when allowed, how it is refused, and how it is named in headers and audit.
 * The processors are written once against this and wired twice.
 */
final class Gate<T> {

    /**
     * The constraint of a task whose action its crew does not run (the contract's actions.table): the
     * task is refused like a DENY, to hydra.tasks.rejected with an audited verdict.
     */
    static final String UNKNOWN_ACTION = "unknown_action";

    /** A refused task goes to hydra.tasks.rejected, its reason in the {@code hydra-reason} header. */
    static final Gate<Task> TASKS = new Gate<>(SubjectKind.TASK, "task", Topics.TASKS_PROPOSED,
            Topics.TASKS_APPROVED, Task::id, Task::id, Gate::checkTask, Constitution::redact,
            (task, why, at) -> new Emission(Topics.TASKS_REJECTED, task, null, why), VerdictSigner::sign);

    /** A refused tool call is answered with a DENIED result, so the agent sees the refusal as the tool's answer. */
    static final Gate<ToolCall> TOOL_CALLS = new Gate<>(SubjectKind.TOOL_CALL, "tool call",
            Topics.TOOLCALLS_REQUESTED, Topics.TOOLCALLS_APPROVED, ToolCall::id, ToolCall::taskId,
            Constitution::check, Constitution::redact,
            (call, why, at) -> new Emission(Topics.TOOLCALLS_RESULTS,
                    new ToolResult(call.id(), call.taskId(), ToolStatus.DENIED, why, at)), VerdictSigner::sign);

    /**
     * The constitution's ruling on a task, and a refusal when its action is not one its crew runs. A
     * DENY of the constitution stands (the absolute it broke is the graver reason, and the audit keeps
     * it); any other ruling on an undeclared action becomes a DENY naming the field, the crew and its
     * actions, so that no person is asked to approve, and no crew is given, work that no crew can run.
     * A declared action is judged exactly as before.
     */
    static Ruling checkTask(Constitution constitution, Task task) {
        Ruling ruling = constitution.check(task);
        if (ruling.decision() == Decision.DENY) {
            return ruling;
        }
        return CrewActions.standard().refusal(task).map(reason -> new Ruling(Decision.DENY, UNKNOWN_ACTION, reason))
                .orElse(ruling);
    }

    /** How an item is refused: {@code why} is already fit for a non-audit topic. */
    @FunctionalInterface
    interface Refusal<T> {
        Emission of(T item, String why, Instant at);
    }

    private final SubjectKind kind;
    private final String noun;
    private final Topic<T> source;
    private final Topic<T> approved;
    private final Function<T, String> id;
    private final Function<T, String> correlationId;
    private final BiFunction<Constitution, T, Ruling> check;
    private final BiFunction<Constitution, T, T> redact;
    private final Refusal<T> refusal;
    private final Signing<T> signing;

    /** How an item is signed ({@link VerdictSigner} has one method per kind). */
    @FunctionalInterface
    interface Signing<T> {
        VerdictSignature sign(VerdictSigner signer, T item, String verdict, String constitutionSha256);
    }

    private Gate(SubjectKind kind, String noun, Topic<T> source, Topic<T> approved, Function<T, String> id,
                 Function<T, String> correlationId, BiFunction<Constitution, T, Ruling> check,
                 BiFunction<Constitution, T, T> redact, Refusal<T> refusal, Signing<T> signing) {
        this.kind = kind;
        this.noun = noun;
        this.source = source;
        this.approved = approved;
        this.id = id;
        this.correlationId = correlationId;
        this.check = check;
        this.redact = redact;
        this.refusal = refusal;
        this.signing = signing;
    }

    static Gate<?> of(SubjectKind kind) {
        return switch (kind) {
            case TASK -> TASKS;
            case TOOL_CALL -> TOOL_CALLS;
            default -> throw new IllegalArgumentException("nothing of kind " + kind + " is gated");
        };
    }

    SubjectKind kind() {
        return kind;
    }

    /** The kind in processor and store names: "task", "toolcall". */
    String slug() {
        return noun.replace(" ", "");
    }

    Topic<T> source() {
        return source;
    }

    Topic<T> approved() {
        return approved;
    }

    String id(T item) {
        return id.apply(item);
    }

    /** The task that started the chain: the task itself, or the task a tool call belongs to. */
    String correlationId(T item) {
        return correlationId.apply(item);
    }

    /** "task 3f1c…", for reasons a person reads. */
    String describe(T item) {
        return noun + " " + id(item);
    }

    Ruling check(Constitution constitution, T item) {
        return check.apply(constitution, item);
    }

    T redact(Constitution constitution, T item) {
        return redact.apply(constitution, item);
    }

    Emission refuse(Constitution constitution, T item, String constraint, String reason, Instant at) {
        String why = constraint.isEmpty() ? reason : constraint + ": " + reason;
        return refusal.of(item, constitution.redact(why), at);
    }

    /** The signature a released item travels with ({@code verdict} ALLOW or APPROVED). */
    VerdictSignature sign(VerdictSigner signer, T item, String verdict, String constitutionSha256) {
        return signing.sign(signer, item, verdict, constitutionSha256);
    }

    /** Rebuilds a parked item from an approval request's subject, validated like any input. */
    T fromSubject(Map<String, Object> subject) {
        return source.valueSerde().fromTree(Json.tree(subject));
    }
}
