package dev.hydra.ops;

import dev.hydra.constitution.FilterSettings;
import dev.hydra.crew.CrewWorker;
import dev.hydra.crew.tools.ToolExecutorService;
import dev.hydra.router.RouterSettings;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.events.Crew;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may read and write what on the cluster: the topic contract as Kafka ACLs, one principal per
 * service. The embedded broker applies it at start and {@code hydra acls} prints or applies it to an
 * existing cluster, so both get the same boundary. Everything not granted here is refused
 * ({@code allow.everyone.if.no.acl.found=false}); {@link Principal#ADMIN} is a super user and needs no ACL.
 */
final class AccessPolicy {
    /** Every Hydra topic, so that describing them (metadata, offsets, lag) is one grant. */
    private static final String HYDRA_TOPICS = "hydra.";
    /** Consumer groups of the CLI's and console's own readers: a fresh random group per reader. */
    private static final List<String> READER_GROUPS = List.of("hydra-tail-", "hydra-console-", "hydra-bench-");
    /** The memory projector's consumer groups (results and audit sink), named in memory-projector. */
    private static final String MEMORY_GROUPS = "hydra-memory-";
    /** Groups an outside producer may use to read its results. */
    private static final String SUBMITTER_GROUPS = "submitter-";

    private final Set<AclBinding> bindings = new LinkedHashSet<>();
    private final List<Principal> principals;

    private AccessPolicy(List<Principal> principals) {
        this.principals = principals;
    }

    /** The policy for the configuration's application ids (the router's is a setting). */
    static AccessPolicy of(HydraConfig config) {
        AccessPolicy p = new AccessPolicy(Principal.all());
        for (Principal service : services()) {
            // Topic metadata, offsets and configs: what TopicBootstrap, lag metrics and Streams ask for.
            p.allow(service, prefixed(ResourceType.TOPIC, HYDRA_TOPICS), AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        }

        p.writes(Principal.ASSESSOR, Topics.STATE_SNAPSHOTS, Topics.TASKS_PROPOSED, Topics.ITERATIONS);
        // hydra.control: proposes nothing while paused. tasks.results and approvals.requests: the iteration reports;
        // crew.nodes: the nodes' model-call p95, read by the slow-inference rule.
        p.reads(Principal.ASSESSOR, Topics.CDC_FEATURES, Topics.CDC_KNOWLEDGE_GAPS, Topics.CDC_SERVICES, Topics.MEMORY_BLOCKS,
                Topics.CONTROL, Topics.TASK_RESULTS, Topics.APPROVAL_REQUESTS, Topics.CREW_NODES);

        p.streamsApp(Principal.CONSTITUTION, FilterSettings.APPLICATION_ID);
        // tasks.status and toolcalls.results: what ran, audited against the verdict that let it run.
        p.reads(Principal.CONSTITUTION, Topics.TASKS_PROPOSED, Topics.TOOLCALLS_REQUESTED, Topics.APPROVAL_REQUESTS,
                Topics.APPROVAL_DECISIONS, Topics.TASK_STATUS, Topics.TOOLCALLS_RESULTS);
        // Denied tool calls are answered on toolcalls.results so the waiting agent hears the verdict.
        p.writes(Principal.CONSTITUTION, Topics.TASKS_APPROVED, Topics.TASKS_REJECTED, Topics.APPROVAL_REQUESTS,
                Topics.AUDIT, Topics.TOOLCALLS_APPROVED, Topics.TOOLCALLS_RESULTS, Topics.DLQ);

        p.streamsApp(Principal.ROUTER, config.get(RouterSettings.APPLICATION_ID));
        p.reads(Principal.ROUTER, Topics.TASKS_APPROVED, Topics.TASK_STATUS, Topics.CREW_NODES);
        // tasks.results / replay.results: the FAILED result of a task the router gives up on.
        p.writes(Principal.ROUTER, Topics.TASK_STATUS, Topics.TASK_RESULTS, Topics.REPLAY_RESULTS, Topics.DLQ);
        for (Crew crew : Crew.values()) {
            p.writes(Principal.ROUTER, Topics.crewLanes(crew).toArray(Topic<?>[]::new));
        }

        for (Crew crew : Crew.values()) {
            Principal worker = Principal.crew(crew);
            p.allow(worker, literal(ResourceType.GROUP, CrewWorker.groupId(crew)), AclOperation.READ);
            p.reads(worker, Topics.crewLanes(crew).toArray(Topic<?>[]::new));
            // crew.nodes: a DEGRADED worker stands aside only while a crewmate is announced UP.
            // hydra.control: claims nothing while paused. memory.blocks: agents' prompts carry their core memory.
            p.reads(worker, Topics.TASK_STATUS, Topics.TOOLCALLS_RESULTS, Topics.CREW_NODES, Topics.CONTROL,
                    Topics.MEMORY_BLOCKS);
            // hydra.audit: the execution audit of the commands a crew runs (restarts).
            p.writes(worker, Topics.TASK_STATUS, Topics.TASK_RESULTS, Topics.REPLAY_RESULTS, Topics.TOOLCALLS_REQUESTED,
                    Topics.TASKS_PROPOSED, Topics.CREW_NODES, Topics.AUDIT, Topics.DLQ);
        }

        p.allow(Principal.TOOLS, literal(ResourceType.GROUP, ToolExecutorService.GROUP_ID), AclOperation.READ);
        p.reads(Principal.TOOLS, Topics.TOOLCALLS_APPROVED);
        // hydra.audit: the execution audit of each tool call run.
        p.writes(Principal.TOOLS, Topics.TOOLCALLS_RESULTS, Topics.AUDIT, Topics.DLQ);

        p.allow(Principal.MEMORY, prefixed(ResourceType.GROUP, MEMORY_GROUPS), AclOperation.READ);
        p.reads(Principal.MEMORY, Topics.TASK_RESULTS, Topics.STATE_SNAPSHOTS, Topics.AUDIT, Topics.MEMORY_BLOCKS,
                Topics.TASKS_PROPOSED, Topics.TASKS_APPROVED, Topics.TASKS_REJECTED, Topics.TASK_STATUS,
                Topics.TOOLCALLS_REQUESTED, Topics.TOOLCALLS_RESULTS, Topics.TOOLCALLS_APPROVED);
        // hydra.audit: refused block writes are audited. toolcalls.results: the answers to agents' memory
        // tool calls (server memory), which the memory projector runs instead of the tool executor.
        p.writes(Principal.MEMORY, Topics.MEMORY_BLOCKS, Topics.AUDIT, Topics.DLQ, Topics.TOOLCALLS_RESULTS);
        p.writes(Principal.MEMORY, Topics.cdcTopics().toArray(Topic<?>[]::new));

        // The console reads what it shows, proposes what people submit and is the only writer of
        // decisions: it is the service that authenticates people.
        p.readerGroups(Principal.CONSOLE);
        p.allow(Principal.CONSOLE, prefixed(ResourceType.GROUP, "hydra-"), AclOperation.DESCRIBE);
        p.allow(Principal.CONSOLE, prefixed(ResourceType.TOPIC, HYDRA_TOPICS), AclOperation.READ);
        // toolcalls.requested: an operator's tool call (POST /api/toolcalls), judged like an agent's.
        // hydra.control: POST /api/pause and /api/resume, by a logged-in operator.
        p.writes(Principal.CONSOLE, Topics.TASKS_PROPOSED, Topics.TOOLCALLS_REQUESTED, Topics.APPROVAL_DECISIONS,
                Topics.CONTROL);

        // An operator's CLI reads every topic (tail, history, audit verify) and re-enters work at the
        // pipeline's entrances (submit, replay); decisions go through the console, with a login.
        p.readerGroups(Principal.CLI);
        p.allow(Principal.CLI, prefixed(ResourceType.GROUP, "hydra-"), AclOperation.DESCRIBE);
        p.allow(Principal.CLI, prefixed(ResourceType.TOPIC, HYDRA_TOPICS), AclOperation.READ);
        // hydra.control: hydra pause / hydra resume.
        p.writes(Principal.CLI, Topics.TASKS_PROPOSED, Topics.TOOLCALLS_REQUESTED, Topics.CONTROL);

        p.writes(Principal.SUBMITTER, Topics.TASKS_PROPOSED);
        p.reads(Principal.SUBMITTER, Topics.TASK_RESULTS, Topics.TASK_STATUS);
        p.allow(Principal.SUBMITTER, prefixed(ResourceType.GROUP, SUBMITTER_GROUPS), AclOperation.READ);
        return p;
    }

    /** No grants at all: a secured cluster where only super users may act (what {@code hydra acls --apply} starts from). */
    static AccessPolicy none() {
        return new AccessPolicy(List.of(Principal.ADMIN));
    }

    /** The SCRAM users the policy needs: the admin and everyone it grants something. */
    List<Principal> principals() {
        return principals;
    }

    /** Every principal that gets ACLs (all but the admin, a super user). */
    static List<Principal> services() {
        return Principal.all().stream().filter(pr -> !pr.equals(Principal.ADMIN)).toList();
    }

    List<AclBinding> bindings() {
        return List.copyOf(bindings);
    }

    /** One line per binding, sorted: what {@code hydra acls} prints and what a test compares. */
    static List<String> lines(java.util.Collection<AclBinding> bindings) {
        return bindings.stream().map(AccessPolicy::line).sorted().toList();
    }

    static String line(AclBinding b) {
        ResourcePattern r = b.pattern();
        AccessControlEntry e = b.entry();
        return String.format("%-26s %-6s %-16s %-16s %-9s %s", e.principal(), e.permissionType(), e.operation(),
                r.resourceType(), r.patternType(), r.name());
    }

    private void streamsApp(Principal app, String applicationId) {
        allow(app, literal(ResourceType.GROUP, applicationId), AclOperation.READ);
        // Changelog and repartition topics are named <application.id>-…; Streams creates, reads,
        // writes and purges them.
        allow(app, prefixed(ResourceType.TOPIC, applicationId + "-"), AclOperation.ALL);
        // Exactly-once v2: transactional ids <application.id>-<process>-<thread>.
        allow(app, prefixed(ResourceType.TRANSACTIONAL_ID, applicationId), AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(app, new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL), AclOperation.IDEMPOTENT_WRITE);
    }

    private void readerGroups(Principal principal) {
        READER_GROUPS.forEach(g -> allow(principal, prefixed(ResourceType.GROUP, g), AclOperation.READ));
    }

    private void reads(Principal principal, Topic<?>... topics) {
        for (Topic<?> topic : topics) {
            allow(principal, literal(ResourceType.TOPIC, topic.name()), AclOperation.READ);
        }
    }

    private void writes(Principal principal, Topic<?>... topics) {
        for (Topic<?> topic : topics) {
            allow(principal, literal(ResourceType.TOPIC, topic.name()), AclOperation.WRITE);
        }
    }

    private void allow(Principal principal, ResourcePattern resource, AclOperation... operations) {
        for (AclOperation operation : operations) {
            bindings.add(new AclBinding(resource,
                    new AccessControlEntry(principal.kafkaPrincipal(), "*", operation, AclPermissionType.ALLOW)));
        }
    }

    private static ResourcePattern literal(ResourceType type, String name) {
        return new ResourcePattern(type, name, PatternType.LITERAL);
    }

    private static ResourcePattern prefixed(ResourceType type, String prefix) {
        return new ResourcePattern(type, prefix, PatternType.PREFIXED);
    }

    /** The grants of one principal, for printing. */
    List<AclBinding> of(Principal principal) {
        List<AclBinding> out = new ArrayList<>();
        bindings.stream().filter(b -> b.entry().principal().equals(principal.kafkaPrincipal()))
                .sorted(Comparator.comparing(AccessPolicy::line)).forEach(out::add);
        return out;
    }
}
