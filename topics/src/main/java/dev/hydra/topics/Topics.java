package dev.hydra.topics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.events.ApprovalDecision;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.AuditRecord;
import dev.hydra.topics.events.CdcEvent;
import dev.hydra.topics.events.ControlSwitch;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.IterationReport;
import dev.hydra.topics.events.MemoryBlock;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.StateSnapshot;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The topic catalog: every topic Hydra uses, with its layout and value serde. No other place in
 * the code names a topic.
 */
public final class Topics {

    /** Work topics are partitioned for parallelism; 6 leaves room for a few crew members per lane. */
    private static final int WORK_PARTITIONS = 6;
    private static final Optional<Duration> WEEK = Optional.of(Duration.ofDays(7));
    private static final Optional<Duration> MONTH = Optional.of(Duration.ofDays(30));
    private static final Optional<Duration> BROKER_DEFAULT = Optional.empty();

    public static final JsonSerde<Task> TASK = JsonSerde.of(Task.class, "task");
    public static final JsonSerde<ToolCall> TOOL_CALL = JsonSerde.of(ToolCall.class, "tool-call");

    public static final Topic<StateSnapshot> STATE_SNAPSHOTS =
            new Topic<>("hydra.state.snapshots", 1, WEEK, false, JsonSerde.of(StateSnapshot.class, "state-snapshot"));
    public static final Topic<Task> TASKS_PROPOSED = new Topic<>("hydra.tasks.proposed", WORK_PARTITIONS, MONTH, false, TASK);
    public static final Topic<Task> TASKS_APPROVED = new Topic<>("hydra.tasks.approved", WORK_PARTITIONS, MONTH, false, TASK);
    public static final Topic<Task> TASKS_REJECTED = new Topic<>("hydra.tasks.rejected", WORK_PARTITIONS, MONTH, false, TASK);
    /** Compacted: the latest status of each request is its current state. */
    public static final Topic<ApprovalRequest> APPROVAL_REQUESTS = new Topic<>("hydra.approvals.requests", 1,
            BROKER_DEFAULT, true, JsonSerde.of(ApprovalRequest.class, "approval-request"));
    public static final Topic<ApprovalDecision> APPROVAL_DECISIONS = new Topic<>("hydra.approvals.decisions", 1,
            MONTH, false, JsonSerde.of(ApprovalDecision.class, "approval-decision"));
    /** The seed's always_audit_trail: 365 days. */
    public static final Topic<AuditRecord> AUDIT = new Topic<>("hydra.audit", WORK_PARTITIONS,
            Optional.of(Duration.ofDays(365)), false, JsonSerde.of(AuditRecord.class, "audit-record"));
    public static final Topic<TaskStatus> TASK_STATUS = new Topic<>("hydra.tasks.status", WORK_PARTITIONS, MONTH,
            false, JsonSerde.of(TaskStatus.class, "task-status"));
    public static final Topic<TaskResult> TASK_RESULTS = new Topic<>("hydra.tasks.results", WORK_PARTITIONS, MONTH,
            false, JsonSerde.of(TaskResult.class, "task-result"));
    /** Results of dry-run replays ({@code hydra replay --dry-run}), kept apart from real work and its memory. */
    public static final Topic<TaskResult> REPLAY_RESULTS = new Topic<>("hydra.replay.results", WORK_PARTITIONS, MONTH,
            false, JsonSerde.of(TaskResult.class, "task-result"));
    public static final Topic<ToolCall> TOOLCALLS_REQUESTED = new Topic<>("hydra.toolcalls.requested", WORK_PARTITIONS,
            MONTH, false, TOOL_CALL);
    public static final Topic<ToolCall> TOOLCALLS_APPROVED = new Topic<>("hydra.toolcalls.approved", WORK_PARTITIONS,
            MONTH, false, TOOL_CALL);
    public static final Topic<ToolResult> TOOLCALLS_RESULTS = new Topic<>("hydra.toolcalls.results", WORK_PARTITIONS,
            MONTH, false, JsonSerde.of(ToolResult.class, "tool-result"));
    /** Compacted: a block's latest version is the block. */
    public static final Topic<MemoryBlock> MEMORY_BLOCKS = new Topic<>("hydra.memory.blocks", 1, BROKER_DEFAULT, true,
            JsonSerde.of(MemoryBlock.class, "memory-block"));
    /**
     * Values are whatever failed to parse, so the serde here is only for the catalog entry: read
     * dead letters as raw bytes with their headers ({@link DeadLetters}).
     */
    public static final Topic<JsonNode> DLQ = new Topic<>("hydra.dlq", 1, MONTH, false,
            JsonSerde.of(JsonNode.class, "any"));
    /**
     * Crew worker nodes announce themselves here, keyed by node name, and repeat it as a heartbeat.
     * Compacted: a node's latest announcement is the node. One partition, because the router reads
     * all of it to match tasks' {@code requires} with live nodes.
     */
    public static final Topic<NodeAnnouncement> CREW_NODES = new Topic<>("hydra.crew.nodes", 1, BROKER_DEFAULT, true,
            JsonSerde.of(NodeAnnouncement.class, "node-announcement"));

    /**
     * Operator switches ({@code hydra pause} / {@code hydra resume}), keyed by switch name. Compacted:
     * a switch's latest record is its position, so a paused stack restarts paused. One partition,
     * read whole by every crew worker and the assessor ({@link PauseSwitch}).
     */
    public static final Topic<ControlSwitch> CONTROL = new Topic<>("hydra.control", 1, BROKER_DEFAULT, true,
            JsonSerde.of(ControlSwitch.class, "control-switch"));

    /** The orchestrator's iteration reports (state assessor), keyed by report id: what the learning rules read. */
    public static final Topic<IterationReport> ITERATIONS = new Topic<>("hydra.iterations", 1, MONTH, false,
            JsonSerde.of(IterationReport.class, "iteration-report"));

    /**
     * Postgres change capture (Debezium, memory-projector), one topic per captured table. Compacted:
     * keyed by primary key, the latest change of each row is the row, so a reader can rebuild the
     * table from the beginning of the topic.
     */
    public static final JsonSerde<CdcEvent> CDC_EVENT = JsonSerde.of(CdcEvent.class, "cdc-event");
    public static final Topic<CdcEvent> CDC_FEATURES = cdcTopic("features");
    public static final Topic<CdcEvent> CDC_KNOWLEDGE_GAPS = cdcTopic("knowledge_gaps");
    public static final Topic<CdcEvent> CDC_SERVICES = cdcTopic("services");
    private static final List<Topic<CdcEvent>> CDC = List.of(CDC_FEATURES, CDC_KNOWLEDGE_GAPS, CDC_SERVICES);

    private static final List<Topic<Task>> CREW_LANES = buildLanes();
    private static final List<Topic<?>> ALL = buildAll();

    private Topics() {
    }

    /** {@code hydra.crew.<crew>.p<priority>}: the lane a task of this crew and priority is routed to. */
    public static Topic<Task> crewLane(Crew crew, int priority) {
        if (priority < Task.HIGHEST_PRIORITY || priority > Task.LOWEST_PRIORITY) {
            throw new IllegalArgumentException("priority must be between 1 and 4, was " + priority);
        }
        return CREW_LANES.get(crew.ordinal() * Task.LOWEST_PRIORITY + priority - 1);
    }

    /** The four lanes of a crew, most urgent first. */
    public static List<Topic<Task>> crewLanes(Crew crew) {
        int from = crew.ordinal() * Task.LOWEST_PRIORITY;
        return CREW_LANES.subList(from, from + Task.LOWEST_PRIORITY);
    }

    /** {@code hydra.cdc.<table>}: the change topic of a captured table. */
    public static Topic<CdcEvent> cdc(String table) {
        return CDC.stream().filter(t -> t.name().equals("hydra.cdc." + table)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no change topic for table " + table + "; captured: "
                        + CDC.stream().map(Topic::name).toList()));
    }

    /** Every change-capture topic. */
    public static List<Topic<CdcEvent>> cdcTopics() {
        return CDC;
    }

    private static Topic<CdcEvent> cdcTopic(String table) {
        return new Topic<>("hydra.cdc." + table, 1, BROKER_DEFAULT, true, CDC_EVENT);
    }

    public static List<Topic<?>> all() {
        return ALL;
    }

    private static List<Topic<Task>> buildLanes() {
        List<Topic<Task>> lanes = new ArrayList<>();
        for (Crew crew : Crew.values()) {
            for (int p = Task.HIGHEST_PRIORITY; p <= Task.LOWEST_PRIORITY; p++) {
                lanes.add(new Topic<>("hydra.crew." + crew.wireName() + ".p" + p, WORK_PARTITIONS, MONTH, false, TASK));
            }
        }
        return Collections.unmodifiableList(lanes);
    }

    private static List<Topic<?>> buildAll() {
        List<Topic<?>> all = new ArrayList<>(List.of(STATE_SNAPSHOTS, TASKS_PROPOSED, TASKS_APPROVED, TASKS_REJECTED,
                APPROVAL_REQUESTS, APPROVAL_DECISIONS, AUDIT, TASK_STATUS, TASK_RESULTS, REPLAY_RESULTS,
                TOOLCALLS_REQUESTED, TOOLCALLS_APPROVED, TOOLCALLS_RESULTS, MEMORY_BLOCKS, DLQ, CREW_NODES, CONTROL, ITERATIONS));
        all.addAll(CREW_LANES);
        all.addAll(CDC);
        return Collections.unmodifiableList(all);
    }
}
