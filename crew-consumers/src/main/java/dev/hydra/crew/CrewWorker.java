package dev.hydra.crew;

import dev.hydra.crew.agent.CoreMemoryView;
import dev.hydra.crew.agent.KafkaToolGateway;
import dev.hydra.crew.agent.ModelLatency;
import dev.hydra.topics.DeadLetters;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.PauseSwitch;
import dev.hydra.topics.Redactor;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.signing.UnverifiedRecordException;
import dev.hydra.topics.signing.VerdictVerifier;
import dev.hydra.topics.signing.WriterSigner;
import dev.hydra.topics.signing.WriterVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
 *
 * <p>This class wires a worker and runs its poll loop: a record arrives, is refused or started on a
 * task thread, and is acknowledged when its task ends. Each other job has its own class:
 * {@link LaneConsumer} (the group, fetching and commits), {@link ClaimRules} (what to do with a
 * record, no Kafka types), {@link TaskAttempts} (one attempt on its task thread), {@link StatusLedger}
 * (what the status topic says about a task), {@link CrewExecutors} (what the crew can do),
 * {@link TaskReporter} (the status and result records) and {@link NodePresence} (announcements and
 * standing aside).
 */
public final class CrewWorker implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(CrewWorker.class);

    /** The header the router sets when it retries a task. */
    public static final String ATTEMPT_HEADER = EventHeaders.ATTEMPT;
    /** The action every crew completes at once, without a model or a side effect. */
    public static final String NOOP_ACTION = "noop";

    private final HydraConfig config;
    private final Properties kafkaClientProps;
    private final Crew crew;
    private final String node;
    private final Path workDir;
    private final List<Topic<Task>> lanes;
    private final Duration heartbeat;
    private final Duration pollTimeout;
    /** How far back the ledger reads statuses; tasks created before it are refused (see ClaimRules). */
    private final Duration statusLookback;
    private final StepJournal journal;
    private final String modelName;
    private final List<String> capabilities;
    private final Redactor redactor;
    private final VerdictVerifier verifier;
    private final WriterSigner signer;
    private final WriterVerifier writers;
    private ModelEndpoint endpoint;
    private CrewExecutors executors;
    private NodePresence presence;
    private TaskAttempts attempts;
    private final Object idle = new Object();
    private KafkaToolGateway toolGateway;
    private CoreMemoryView memory;
    /** How long a starting worker waits for the core-memory blocks before its agents' prompts show what has come. */
    private static final Duration MEMORY_LOAD = Duration.ofSeconds(15);
    private StatusLedger ledger;

    private final LaneQueue queue;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private volatile boolean healthy;
    /** {@code hydra pause}: while it answers true no new task is claimed (buffered ones wait). */
    private volatile BooleanSupplier paused = () -> false;
    private Thread loop;
    private LaneConsumer consumer;
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
     * @param signer   this crew's own key: every status, result and tool call the worker writes is signed
     *                 with it, so that no other crew can write them in its name
     * @param writers  every writer's public keys: the statuses read back before a claim count only when
     *                 their writer may write them (see {@link StatusLedger})
     */
    public CrewWorker(HydraConfig config, Properties kafkaClientProps, Crew crew, String nodeName, Path workDir,
                      Redactor redactor, VerdictVerifier verifier, WriterSigner signer, WriterVerifier writers) {
        if (!signer.writer().equals(crew.wireName())) {
            throw new IllegalArgumentException("crew " + crew + " must sign with its own key, not " + signer.writer() + "'s");
        }
        this.signer = signer;
        this.writers = writers;
        this.config = config;
        this.redactor = redactor;
        this.verifier = verifier;
        this.kafkaClientProps = kafkaClientProps;
        this.crew = crew;
        this.node = nodeName;
        this.workDir = workDir.toAbsolutePath().normalize();
        this.lanes = Topics.crewLanes(crew);
        this.queue = new LaneQueue(lanes.size());
        this.heartbeat = config.get(CrewSettings.HEARTBEAT);
        this.pollTimeout = config.get(CrewSettings.POLL_TIMEOUT);
        this.statusLookback = config.get(CrewSettings.STATUS_LOOKBACK);
        this.journal = new StepJournal(this.workDir.resolve(".hydra").resolve("crew-steps.journal"), nodeName);
        this.modelName = config.get(CrewSettings.LLM_MODEL);
        this.capabilities = CrewSettings.list(config.get(CrewSettings.CAPABILITIES));
        this.concurrency = config.get(CrewSettings.CONCURRENCY);
    }

    /** Claims nothing while {@code pause} says the stack is paused ({@code hydra pause}). */
    public CrewWorker pausedBy(PauseSwitch pause) {
        this.paused = pause::paused;
        return this;
    }

    /** The consumer group of a crew. */
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
        return consumer == null ? Set.of() : consumer.assignment();
    }

    @Override
    public void start() {
        Properties reporting = new Properties();
        reporting.putAll(kafkaClientProps);
        // The worker waits for CLAIMED before the work and for the result before the next task:
        // lingering would only add to every task's latency.
        reporting.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producer = new EventProducer(reporting, name(), signer);
        CrewMetrics.initialize(crew.wireName(), modelName);
        toolGateway = new KafkaToolGateway(kafkaClientProps, producer, name());
        ledger = new StatusLedger(kafkaClientProps, name(), statusLookback, writers);
        endpoint = new ModelEndpoint(config);
        try {
            memory = CoreMemoryView.start(kafkaClientProps, name(), MEMORY_LOAD, redactor);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name() + " was interrupted while reading core memory", e);
        }
        ModelLatency latency = new ModelLatency(crew.wireName(), node, modelName);
        executors = new CrewExecutors(config, crew, name(), latency.timing(endpoint.chatModel()), toolGateway, memory,
                task -> producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id()).get(30, TimeUnit.SECONDS));
        Properties client = new Properties();
        client.putAll(kafkaClientProps);
        client.putIfAbsent(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaSettings.BOOTSTRAP));
        consumer = new LaneConsumer(name(), groupId(crew), lanes, client, queue, offsets);
        Properties reader = new Properties();
        reader.putAll(client);
        reader.put(ConsumerConfig.CLIENT_ID_CONFIG, name() + "-crewmates");
        presence = new NodePresence(name(), crew, node, List.of(modelName), capabilities, endpoint, latency, reader,
                heartbeat, executors.allAgents(), producer, () -> {
                    synchronized (idle) {
                        idle.notifyAll();
                    }
                });
        AtomicInteger threadNumber = new AtomicInteger();
        taskThreads = Executors.newFixedThreadPool(concurrency,
                r -> new Thread(r, name() + "-task" + (concurrency == 1 ? "" : "-" + threadNumber.incrementAndGet())));
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name() + "-heartbeat");
            t.setDaemon(true);
            return t;
        });
        presence.schedule(heartbeats, heartbeat, config.get(CrewSettings.LLM_PROBE_INTERVAL));
        attempts = new TaskAttempts(name(), crew, node, capabilities, ledger, producer, redactor, executors, heartbeats,
                heartbeat, workDir, journal);
        running = true;
        healthy = true;
        loop = new Thread(this::pollLoop, name() + "-poll");
        loop.start();
        LOG.info("{} started: group {}, lanes {}", name(), groupId(crew), lanes);
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
            consumer.close();
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
        if (!consumer.joinOrLeave(presence.standAside(), endpoint.down().orElse(""))) {
            waitWhileAside();
            return;
        }
        consumer.applyPauses();
        // A running task wakes the poll when it ends, so waiting the full timeout costs no latency.
        boolean claiming = !paused.getAsBoolean();
        // While paused the buffer is not drained: waiting the full timeout keeps the loop from spinning on it.
        Duration timeout = queue.isEmpty() || inFlight.size() >= concurrency || !claiming ? pollTimeout : Duration.ZERO;
        try {
            consumer.poll(timeout);
        } catch (WakeupException e) {
            if (!running) {
                throw e;
            }
            // a task ended: acknowledge it and start the next one now
        }
        while (running && claiming && inFlight.size() < concurrency) {
            ConsumerRecord<byte[], byte[]> next = queue.next();
            if (next == null) {
                break;
            }
            begin(next);
        }
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
        ClaimRules.Decision arrival = ClaimRules.onArrival(task, crew, () -> verifier.refusal(record.headers(), task),
                Instant.now(), statusLookback);
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
        FutureTask<Void> work = new FutureTask<>(() -> attempts.run(task, attempt, () -> self.get().cancel(true)), null) {
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
        offsets.finished(partition, record.offset()).ifPresent(next -> consumer.commit(partition, next));
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
        offsets.finished(done.partition(), done.offset()).ifPresent(next -> consumer.commit(done.partition(), next));
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
        return degraded().map(reason -> presence != null && presence.standAside()
                ? reason + "; standing aside for the other members of "
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
        if (memory != null) {
            memory.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (executors != null) {
            executors.close();
        }
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
