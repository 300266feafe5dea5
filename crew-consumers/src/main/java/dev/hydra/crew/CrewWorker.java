package dev.hydra.crew;

import dev.hydra.crew.agent.AgentCrew;
import dev.hydra.crew.agent.Crews;
import dev.hydra.crew.agent.KafkaToolGateway;
import dev.hydra.crew.infra.RestartServiceExecutor;
import dev.hydra.crew.infra.ServiceCatalog;
import dev.hydra.crew.tools.McpToolset;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Redactor;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topic;
import dev.hydra.topics.PauseSwitch;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.NodeAnnouncement.Health;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.UnverifiedRecordException;
import dev.hydra.topics.signing.VerdictVerifier;
import dev.langchain4j.model.chat.ChatModel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a crew's consumer group ({@code hydra-crew-<crew>}), running next to one inference
 * node. It reads the crew's four priority lanes strictly in priority order, claims a task only once
 * its constitution signature verifies (refusing it otherwise, see {@link #refuse}), runs up to
 * {@code crews.concurrency} tasks at once (as many as the node's model server serves in parallel),
 * reports CLAIMED, HEARTBEAT and COMPLETED/FAILED on {@code hydra.tasks.status}, the result on
 * {@code hydra.tasks.results}, and acknowledges a task only after all of that is on the broker (at
 * least once; side effects are deduplicated by {@link StepJournal}; a commit never passes a task
 * that has not finished, see {@link OffsetTracker}).
 *
 * <p>The poll loop never runs a task itself: tasks run on their own threads while the loop keeps
 * polling, so a long agent task does not cost the group membership, and the next free slot takes
 * the most urgent buffered task.
 */
public final class CrewWorker implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(CrewWorker.class);

    /** The header the router sets when it retries a task. */
    public static final String ATTEMPT_HEADER = EventHeaders.ATTEMPT;
    /** The action every crew completes at once, without a model or a side effect. */
    public static final String NOOP_ACTION = "noop";
    /** Buffered records per lane before that lane stops fetching. */
    private static final int LANE_BUFFER_LIMIT = 100;

    private final HydraConfig config;
    private final Properties kafkaClientProps;
    private final Crew crew;
    private final String node;
    private final Path workDir;
    private final List<Topic<Task>> lanes;
    private final Map<String, Integer> laneOfTopic = new HashMap<>();
    private final Duration heartbeat;
    private final Duration pollTimeout;
    private final Map<String, TaskExecutor> executors = new HashMap<>();
    private final StepJournal journal;
    private final ServiceCatalog services;
    private final String modelName;
    private final List<String> capabilities;
    private final Redactor redactor;
    private final VerdictVerifier verifier;
    private TaskExecutor agents;
    private ModelEndpoint endpoint;
    private Crewmates crewmates;
    /**
     * True while this worker's model endpoint is down and another worker of the crew is UP: this one then
     * leaves the group, so that the lanes and the retries go to a member that can run them.
     */
    private volatile boolean standAside;
    private boolean subscribed;
    private final Object idle = new Object();
    /** The discovered tools of the MCP servers this crew is offered. */
    private McpToolset mcpTools = McpToolset.none();
    private KafkaToolGateway toolGateway;
    private StatusLedger ledger;

    private final LaneQueue queue;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private volatile boolean healthy;
    /** {@code hydra pause}: while it answers true no new task is claimed (buffered ones wait). */
    private volatile BooleanSupplier paused = () -> false;
    private volatile Set<TopicPartition> assignment = Set.of();
    private Thread loop;
    private KafkaConsumer<byte[], byte[]> consumer;
    private EventProducer producer;
    private ExecutorService taskThreads;
    private ScheduledExecutorService heartbeats;
    private final int concurrency;
    private final List<InFlight> inFlight = new ArrayList<>();
    private final OffsetTracker offsets = new OffsetTracker();

    /** A task being worked on, and where to acknowledge it. */
    private record InFlight(TopicPartition partition, long offset, Future<?> work) {
    }

    /**
     * @param redactor applied to every summary, artefact and status detail the worker writes: what an
     *                 agent or a command printed may hold a secret (the constitution's never_expose_secrets)
     * @param verifier the constitution's public keys: a task is claimed only with a valid signature from one
     */
    public CrewWorker(HydraConfig config, Properties kafkaClientProps, Crew crew, String nodeName, Path workDir,
                      Redactor redactor, VerdictVerifier verifier) {
        this.config = config;
        this.redactor = redactor;
        this.verifier = verifier;
        this.kafkaClientProps = kafkaClientProps;
        this.crew = crew;
        this.node = nodeName;
        this.workDir = workDir.toAbsolutePath().normalize();
        this.lanes = Topics.crewLanes(crew);
        for (int i = 0; i < lanes.size(); i++) {
            laneOfTopic.put(lanes.get(i).name(), i);
        }
        this.queue = new LaneQueue(lanes.size());
        this.heartbeat = config.get(CrewSettings.HEARTBEAT);
        this.pollTimeout = config.get(CrewSettings.POLL_TIMEOUT);
        this.journal = new StepJournal(this.workDir.resolve(".hydra").resolve("crew-steps.journal"), nodeName);
        this.services = ServiceCatalog.from(config);
        this.modelName = config.get(CrewSettings.LLM_MODEL);
        this.capabilities = CrewSettings.list(config.get(CrewSettings.CAPABILITIES));
        this.concurrency = config.get(CrewSettings.CONCURRENCY);
    }

    /** The consumer group of a crew. */
    /** Claims nothing while {@code pause} says the stack is paused ({@code hydra pause}). */
    public CrewWorker pausedBy(PauseSwitch pause) {
        this.paused = pause::paused;
        return this;
    }

    public static String groupId(Crew crew) {
        return "hydra-crew-" + crew.wireName();
    }

    @Override
    public String name() {
        return "crew-" + crew.wireName() + "@" + node;
    }

    public Crew crew() {
        return crew;
    }

    public String node() {
        return node;
    }

    /** The lane partitions this member owns right now. */
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    @Override
    public void start() {
        Properties reporting = new Properties();
        reporting.putAll(kafkaClientProps);
        // The worker waits for CLAIMED before the work and for the result before the next task:
        // lingering would only add to every task's latency.
        reporting.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producer = new EventProducer(reporting, name());
        CrewMetrics.initialize(crew.wireName(), modelName);
        toolGateway = new KafkaToolGateway(kafkaClientProps, producer, name());
        ledger = new StatusLedger(kafkaClientProps, name(), config.get(CrewSettings.STATUS_LOOKBACK));
        endpoint = new ModelEndpoint(config);
        wireExecutors(endpoint.chatModel());
        consumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties reader = new Properties();
        reader.putAll(kafkaClientProps);
        reader.putIfAbsent(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaSettings.BOOTSTRAP));
        reader.put(ConsumerConfig.CLIENT_ID_CONFIG, name() + "-crewmates");
        crewmates = new Crewmates(reader, crew, node, heartbeat);
        // Before joining: a worker that starts with a dead endpoint next to a healthy member never takes its lanes.
        endpoint.probe();
        standAside = shouldStandAside();
        AtomicInteger threadNumber = new AtomicInteger();
        taskThreads = Executors.newFixedThreadPool(concurrency,
                r -> new Thread(r, name() + "-task" + (concurrency == 1 ? "" : "-" + threadNumber.incrementAndGet())));
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name() + "-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeats.scheduleAtFixedRate(this::announce, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        long probeMs = config.get(CrewSettings.LLM_PROBE_INTERVAL).toMillis();
        heartbeats.scheduleAtFixedRate(this::checkEndpoint, probeMs, probeMs, TimeUnit.MILLISECONDS);
        running = true;
        healthy = true;
        loop = new Thread(this::pollLoop, name() + "-poll");
        loop.start();
        LOG.info("{} started: group {}, lanes {}", name(), groupId(crew), lanes);
    }

    /**
     * While the endpoint is down: probes it again, and stands aside (leaves the group) while another worker
     * of the crew is UP. With no such crewmate it stays, so that what needs no model still runs and a task
     * that does is handed back with the endpoint's error rather than left waiting unseen.
     */
    private void checkEndpoint() {
        try {
            if (endpoint.down().isPresent()) {
                endpoint.probe();
            }
            boolean aside = shouldStandAside();
            if (aside != standAside) {
                standAside = aside;
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
            announce();
        } catch (RuntimeException e) {
            LOG.warn("{}: checking the model endpoint failed: {}", name(), e.getMessage());
        }
    }

    /**
     * Only a crew whose tasks all go to agents stands aside: the infrastructure crew's restart_service
     * needs no model, so that worker keeps its lanes and reports DEGRADED only.
     */
    private boolean shouldStandAside() {
        return agents != null && endpoint.down().isPresent() && crewmates.upElsewhere();
    }


    /** Deterministic executors by action, and the crew's agents for every other action. */
    private void wireExecutors(ChatModel model) {
        AgentCrew.Limits limits = new AgentCrew.Limits(config.get(CrewSettings.MAX_ITERATIONS),
                config.get(CrewSettings.MAX_TOOL_CALLS), config.get(CrewSettings.TOKEN_BUDGET),
                config.get(CrewSettings.TOOL_TIMEOUT));
        mcpTools = McpToolset.forCrew(config, crew, config.get(CrewSettings.TOOL_TIMEOUT));
        mcpTools.discoverInBackground(name());
        // Every crew: a task that only exercises the pipeline (benchmarks, smoke tests), no model, no side effect.
        executors.put(NOOP_ACTION, new NoopExecutor());
        switch (crew) {
            case INFRASTRUCTURE -> {
                executors.put(RestartServiceExecutor.ACTION, new RestartServiceExecutor(services));
                executors.put("optimize_inference", Crews.inferenceOptimization(model, modelName, toolGateway, limits)
                        .offering(mcpTools));
            }
            case RESEARCH -> agents = Crews.research(model, modelName, toolGateway, limits).offering(mcpTools);
            case DEVELOPMENT -> agents = Crews.development(model, modelName, toolGateway, limits).offering(mcpTools);
            case SELF_IMPROVEMENT -> agents = Crews.selfImprovement(model, modelName, toolGateway, limits,
                    task -> producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id()).get(30, TimeUnit.SECONDS))
                    .offering(mcpTools);
        }
    }

    /** "I am here" on hydra.crew.nodes, repeated every heartbeat, so the router can route to this node. */
    private void announce() {
        try {
            producer.send(Topics.CREW_NODES, node,
                    new NodeAnnouncement(node, crew, List.of(modelName), capabilities, Instant.now(),
                            endpoint.down().isPresent() ? Health.DEGRADED : Health.UP, endpoint.down().orElse("")),
                    null);
        } catch (RuntimeException e) {
            LOG.warn("{}: node announcement failed: {}", name(), e.getMessage());
        }
    }

    private Properties consumerProps() {
        Properties props = new Properties();
        props.putAll(kafkaClientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(crew));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name());
        // Acknowledge only after the side effect and its reports are durable.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Only read tasks whose producing transaction (the router's) committed.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Cooperative: a rebalance moves only the partitions that change owner, so a running task's
        // partition is not taken away just because a member joined.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // A dead member's lanes move to the others after 10 s, not the default 45 s; the poll thread
        // never runs a task, so it heartbeats on time even while long tasks run.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
        // Small batches: a fetched backlog must not delay seeing an urgent lane.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        props.putIfAbsent(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaSettings.BOOTSTRAP));
        return props;
    }

    private void pollLoop() {
        try {
            while (running) {
                pollOnce();
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("{}: poll loop failed, worker stops", name(), e);
        } finally {
            healthy = false;
            cancelInFlight();
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("{}: closing the consumer failed", name(), e);
            }
            stopped.countDown();
        }
    }

    private void pollOnce() {
        for (Iterator<InFlight> it = inFlight.iterator(); it.hasNext(); ) {
            InFlight task = it.next();
            if (task.work().isDone()) {
                it.remove();
                acknowledge(task);
            }
        }
        if (!joinOrLeave()) {
            waitWhileAside();
            return;
        }
        applyPauses();
        // A running task wakes the poll when it ends, so waiting the full timeout costs no latency.
        Duration timeout = queue.isEmpty() || inFlight.size() >= concurrency ? pollTimeout : Duration.ZERO;
        try {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
                queue.add(laneOfTopic.get(record.topic()), record);
            }
        } catch (WakeupException e) {
            if (!running) {
                throw e;
            }
            // a task ended: acknowledge it and start the next one now
        }
        while (running && inFlight.size() < concurrency && !paused.getAsBoolean()) {
            ConsumerRecord<byte[], byte[]> next = queue.next();
            if (next == null) {
                break;
            }
            begin(next);
        }
    }

    /** Joins the group or leaves it as {@link #standAside} says; returns whether this member is in it. */
    private boolean joinOrLeave() {
        if (standAside && subscribed) {
            LOG.warn("{}: leaving group {} while its model endpoint is down, so that the other members take its "
                    + "lanes: {}", name(), groupId(crew), endpoint.down().orElse(""));
            consumer.unsubscribe(); // revokes through Rebalance: the buffered records go back to the group
            assignment = Set.of();
            subscribed = false;
        } else if (!standAside && !subscribed) {
            consumer.subscribe(lanes.stream().map(Topic::name).toList(), new Rebalance());
            subscribed = true;
        }
        return subscribed;
    }

    private void waitWhileAside() {
        synchronized (idle) {
            try {
                idle.wait(pollTimeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException();
            }
        }
    }

    /**
     * Fetches what {@link LanePolicy} says, also while a task runs: the buffer then already holds an
     * urgent task that arrived meanwhile when the running one ends.
     */
    private void applyPauses() {
        Set<TopicPartition> owned = consumer.assignment();
        long[] lag = new long[lanes.size()];
        for (TopicPartition tp : owned) {
            lag[laneOfTopic.get(tp.topic())] += consumer.currentLag(tp).orElse(0);
        }
        boolean[] pausedLanes = LanePolicy.paused(queue.sizes(), lag, LANE_BUFFER_LIMIT);
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> toPause = new ArrayList<>();
        List<TopicPartition> toResume = new ArrayList<>();
        for (TopicPartition tp : owned) {
            boolean shouldPause = pausedLanes[laneOfTopic.get(tp.topic())];
            if (shouldPause && !paused.contains(tp)) {
                toPause.add(tp);
            } else if (!shouldPause && paused.contains(tp)) {
                toResume.add(tp);
            }
        }
        consumer.pause(toPause);
        consumer.resume(toResume);
    }

    private void begin(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Task task;
        try {
            task = lanes.get(0).valueSerde().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            deadLetter(record, e);
            skip(partition, record);
            return;
        }
        int attempt = EventHeaders.attempt(record.headers());
        ClaimRules.Decision arrival = ClaimRules.onArrival(task, crew, () -> verifier.refusal(record.headers(), task));
        if (arrival instanceof ClaimRules.Decision.Invalid invalid) {
            deadLetter(record, new IllegalArgumentException(invalid.reason()));
            skip(partition, record);
            return;
        }
        if (arrival instanceof ClaimRules.Decision.Refuse refusal) {
            refuse(record, task, attempt, refusal.reason());
            skip(partition, record);
            return;
        }
        AtomicReference<Future<?>> self = new AtomicReference<>();
        FutureTask<Void> work = new FutureTask<>(() -> work(task, attempt, () -> self.get().cancel(true)), null) {
            @Override
            protected void done() {
                // Only now is isDone() true: waking the poll any earlier would find the task still running.
                consumer.wakeup();
            }
        };
        self.set(work);
        offsets.started(partition, record.offset());
        taskThreads.execute(work);
        inFlight.add(new InFlight(partition, record.offset(), work));
    }

    /** Acknowledges a record that is not run. */
    private void skip(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
        offsets.started(partition, record.offset());
        offsets.finished(partition, record.offset()).ifPresent(next -> commit(partition, next));
    }

    /**
     * A task the constitution did not release, or that changed after it did: never claimed or run.
     * It goes to hydra.dlq with the reason, and a REFUSED status reaches the audit through the filter.
     */
    private void refuse(ConsumerRecord<byte[], byte[]> record, Task task, int attempt, String reason) {
        LOG.warn("{}: {}-{}@{}: task {} refused, not run: {}", name(), record.topic(), record.partition(),
                record.offset(), task.id(), reason);
        deliver(DeadLetters.of(record, new UnverifiedRecordException(reason), name()));
        deliver(producer.send(Topics.TASK_STATUS, task.id(), new TaskStatus(task.id(), crew, TaskState.REFUSED, node,
                attempt, reason, Instant.now()), task.id()));
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception error) {
        LOG.warn("{}: {}-{}@{} is not a valid task, sent to {}: {}", name(), record.topic(), record.partition(),
                record.offset(), Topics.DLQ.name(), error.getMessage());
        deliver(DeadLetters.of(record, error, name()));
    }

    private void deliver(ProducerRecord<byte[], byte[]> deadLetter) {
        deliver(producer.sendRaw(deadLetter));
    }

    /** Waits for a write the poll loop cannot go on without. */
    private void deliver(Future<?> sent) {
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        } catch (ExecutionException e) {
            // Not acknowledging would block the lane on one bad record forever; the worker stops instead.
            throw new IllegalStateException("cannot report a record that is not run", e.getCause());
        }
    }

    /** Runs on the task thread: claim, work with heartbeats, report. Returns once the reports are durable. */
    private void work(Task task, int attempt, Runnable cancel) {
        Optional<ClaimRules.Seen> copy = ledger.claimedOrFinished(task.id(), attempt)
                .map(seen -> new ClaimRules.Seen(seen.attempt(), seen.state().name(), seen.node()));
        TaskReporter reporter = new TaskReporter(producer, redactor, crew, node, task, attempt);
        ClaimRules.Decision decision = ClaimRules.beforeClaim(task, attempt, copy, node, capabilities);
        if (decision instanceof ClaimRules.Decision.Copy skipped) {
            LOG.info("{}: {}", name(), skipped.reason());
            return;
        }
        if (decision instanceof ClaimRules.Decision.HandBack handBack) {
            LOG.warn("{}: task {} handed back (INTERRUPTED): {}", name(), task.id(), handBack.reason());
            reporter.interrupted(handBack.reason());
            return;
        }
        CrewMetrics.ACTIVE_AGENTS.labels(crew.wireName()).inc();
        ScheduledFuture<?> beats = null;
        try {
            reporter.claimed();
            beats = heartbeats.scheduleAtFixedRate(() -> beat(reporter, cancel), heartbeat.toMillis(),
                    heartbeat.toMillis(), TimeUnit.MILLISECONDS);
            TaskOutcome outcome = execute(task, attempt);
            beats.cancel(false);
            reporter.finish(outcome);
            (outcome.outcome() == Outcome.SUCCEEDED ? CrewMetrics.TASKS_COMPLETED : CrewMetrics.TASKS_FAILED)
                    .labels(crew.wireName()).inc();
            LOG.info("{}: task {} ({}) attempt {} {}: {}", name(), task.id(), task.action(), attempt,
                    outcome.outcome(), outcome.summary());
        } catch (RetriableFailure e) {
            LOG.warn("{}: task {} attempt {} hit a retriable error, reported INTERRUPTED: {}", name(), task.id(),
                    attempt, e.getMessage());
            reporter.interrupted("retriable error: " + e.getMessage());
        } catch (InterruptedException e) {
            // The worker is closing mid-task: not acknowledged; INTERRUPTED asks the router for the next attempt.
            // Or the router timed the attempt out: then the next attempt is already on its way.
            reporter.interrupted(reporter.cancelled().orElse("worker " + node + " stopped mid-task"));
            Thread.currentThread().interrupt();
            LOG.warn("{}: task {} attempt {} interrupted by shutdown", name(), task.id(), attempt);
        } finally {
            if (beats != null) {
                beats.cancel(false);
            }
            CrewMetrics.ACTIVE_AGENTS.labels(crew.wireName()).dec();
        }
    }

    /**
     * A heartbeat, and the check that the router still counts on this attempt: one it timed out is
     * cancelled here (the agent interrupted, a command it runs killed) before the router's backoff
     * lets the next attempt start elsewhere.
     */
    private void beat(TaskReporter reporter, Runnable cancel) {
        reporter.heartbeat();
        try {
            if (ledger.stoppedByRouter(reporter.task().id(), reporter.attempt()) && reporter.cancel()) {
                LOG.warn("{}: the router stopped task {} attempt {}; cancelling it", name(), reporter.task().id(),
                        reporter.attempt());
                cancel.run();
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot check whether task {} is still wanted: {}", name(), reporter.task().id(),
                    e.getMessage());
        }
    }

    private TaskOutcome execute(Task task, int attempt) throws InterruptedException, RetriableFailure {
        TaskExecutor executor = executors.getOrDefault(task.action(), agents);
        if (executor == null) {
            return TaskOutcome.failed("crew " + crew + " has no executor for action '" + task.action() + "'");
        }
        TaskOutcome outcome;
        try {
            outcome = executor.execute(new TaskContext(task, attempt, node, workDir, journal));
        } catch (InterruptedException e) {
            throw e;
        } catch (StepJournal.UnconfirmedStepException e) {
            return TaskOutcome.failed(e.getMessage());
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("interrupted: " + e.getMessage());
            }
            CrewMetrics.AGENT_ERRORS.labels(crew.wireName()).inc();
            if (RetriableFailure.isRetriable(e)) {
                throw new RetriableFailure(e);
            }
            LOG.warn("{}: task {} failed unexpectedly", name(), task.id(), e);
            return TaskOutcome.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (outcome.outcome() == Outcome.FAILED && Thread.currentThread().isInterrupted()) {
            // A failure caused by the shutdown is not the task's failure.
            throw new InterruptedException("interrupted: " + outcome.summary());
        }
        return outcome;
    }

    /** Commits the task's offset once its reports are durable, if this member still owns the partition. */
    private void acknowledge(InFlight done) {
        try {
            done.work().get();
        } catch (CancellationException e) {
            // the router stopped the attempt (see beat): its next attempt is a new lane record
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            LOG.error("{}: task at {}@{} could not be reported; stopping so that a member redoes it", name(),
                    done.partition(), done.offset(), e.getCause());
            running = false;
            return;
        }
        offsets.finished(done.partition(), done.offset()).ifPresent(next -> commit(done.partition(), next));
    }

    /** Commits {@code upTo}, the next offset of {@code partition} to read, if this member still owns it. */
    private void commit(TopicPartition partition, long upTo) {
        if (!consumer.assignment().contains(partition)) {
            LOG.info("{}: {} moved to another member before offset {} was committed; its new owner deduplicates",
                    name(), partition, upTo);
            return;
        }
        // When all that was fetched from the partition is done, commit the read position: it is past the
        // router's transaction markers, which a record's offset + 1 is not, so an idle lane shows no lag.
        long next = offsets.running(partition) == 0 && !queue.holds(partition)
                ? Math.max(upTo, consumer.position(partition)) : upTo;
        // Asynchronous: the task's reports are already durable, and a lost commit only means a redelivery
        // that the status ledger recognises as a copy. Waiting for each commit halved a worker's rate.
        consumer.commitAsync(Map.of(partition, new OffsetAndMetadata(next)), (committed, error) -> {
            if (error != null) {
                // Not fatal: a later commit on this partition covers this offset, and if the partition moves,
                // its new owner sees the task's statuses (and the step journal) and does not repeat it.
                LOG.warn("{}: commit of {}@{} failed ({}); a later commit or the new owner covers it", name(),
                        partition, next, error.getClass().getSimpleName());
            }
        });
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private boolean assignedBefore;

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            queue.drop(partitions);
            offsets.forget(partitions);
            assignment = Set.copyOf(consumer.assignment().stream().filter(tp -> !partitions.contains(tp)).toList());
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assignment = Set.copyOf(consumer.assignment());
            if (!partitions.isEmpty()) {
                // the start line names the lanes: only a later rebalance is news on the terminal
                if (assignedBefore) {
                    LOG.info("{}: assigned {}", name(), partitions);
                } else {
                    LOG.debug("{}: assigned {}", name(), partitions);
                }
                assignedBefore = true;
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    private void cancelInFlight() {
        inFlight.forEach(task -> task.work().cancel(true));
    }

    @Override
    public List<String> consumerGroups() {
        return List.of(groupId(crew));
    }

    @Override
    public Optional<String> degraded() {
        return endpoint == null ? Optional.empty() : endpoint.down();
    }

    @Override
    public Optional<String> healthNote() {
        return degraded().map(reason -> standAside ? reason + "; standing aside for the other members of "
                + groupId(crew) : reason);
    }

    @Override
    public boolean healthy() {
        return healthy && loop != null && loop.isAlive();
    }

    /**
     * Stops at once: a running task is interrupted (its command killed) and not acknowledged, so a
     * group member receives it again; the journal keeps that member from repeating a started side effect.
     */
    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            if (loop != null) {
                stopped.await(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdown(taskThreads);
        // not interrupted: a heartbeat may be reading hydra.crew.nodes (Crewmates), and a consumer
        // interrupted in its close logs an error; the read is bounded (5 s), so the wait is too
        stopQuietly(heartbeats);
        if (ledger != null) {
            ledger.close();
        }
        if (toolGateway != null) {
            toolGateway.close();
        }
        if (producer != null) {
            producer.close();
        }
        mcpTools.close();
        healthy = false;
    }

    private static void stopQuietly(ExecutorService executor) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static void shutdown(ExecutorService executor) {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
