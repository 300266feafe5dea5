package dev.hydra.crew.tools;

import dev.hydra.crew.CrewSettings;
import dev.hydra.crew.StepJournal;
import dev.hydra.crew.sandbox.SandboxLimits;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.GroupLoop;
import dev.hydra.topics.Redactor;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.SandboxSettings;
import dev.hydra.topics.events.Replay;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolResult;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.RefusedCalls;
import dev.hydra.topics.signing.VerdictVerifier;
import dev.hydra.topics.tools.ToolEffect;
import dev.hydra.topics.tools.ToolVocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tool calls the constitution approved ({@code hydra.toolcalls.approved}, consumer group
 * {@code hydra-tool-executor}), each only after its signature verifies, on Hydra's sandboxed workspace tools or a configured MCP server, and
 * answers on {@code hydra.toolcalls.results}, keyed by the call id. A call id is executed at most
 * once, also across a crash and redelivery: the {@link StepJournal} replays the recorded answer of a
 * finished call and refuses to repeat one that was interrupted mid-way.
 */
public final class ToolExecutorService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(ToolExecutorService.class);
    public static final String GROUP_ID = "hydra-tool-executor";

    private final Properties kafkaClientProps;
    private final WorkspaceTools workspace;
    private final SandboxSettings.Mode sandboxMode;
    private final McpServers mcp;
    private final StepJournal journal;
    private final Duration pollTimeout;
    private final Redactor redactor;
    private final VerdictVerifier verifier;
    private GroupLoop loop;
    private EventProducer producer;

    /**
     * @param redactor applied to every tool's output before it is published: a file read or a command's
     *                 output may hold a secret, and the agent (and the topic) must see it redacted
     * @param verifier the constitution's public keys: a call runs only with a valid signature from one
     */
    public ToolExecutorService(HydraConfig config, Properties kafkaClientProps, Path workDir, Redactor redactor,
                               VerdictVerifier verifier) {
        this.kafkaClientProps = kafkaClientProps;
        this.redactor = redactor;
        this.verifier = verifier;
        Path base = workDir.toAbsolutePath().normalize();
        this.sandboxMode = config.get(SandboxSettings.SANDBOX);
        try {
            this.workspace = new WorkspaceTools(base.resolve(config.get(CrewSettings.WORKSPACE)),
                    sandboxMode, base.resolve(".hydra"), SandboxLimits.from(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the tool workspace under " + base, e);
        }
        this.mcp = McpServers.from(config, config.get(CrewSettings.TOOL_TIMEOUT));
        this.journal = new StepJournal(base.resolve(".hydra").resolve("tool-calls.journal"), "tool-executor");
        this.pollTimeout = config.get(CrewSettings.POLL_TIMEOUT);
    }

    @Override
    public String name() {
        return "tool-executor";
    }

    /** The host directory agents see as /workspace. */
    public Path workspaceRoot() {
        return workspace.root();
    }

    /**
     * Up without a usable sandbox, the executor still runs file tools, and /health says why shells are
     * refused; with the sandbox turned off, /health says that too.
     */
    @Override
    public Optional<String> healthNote() {
        if (sandboxMode == SandboxSettings.Mode.NONE) {
            return Optional.of("the sandbox is off (crews.sandbox: none): agents' commands run unconfined on this host");
        }
        return workspace.sandboxUnavailable().map(reason -> "shell and git tools refused: " + reason);
    }

    @Override
    public void start() {
        // Each answer is waited for before the next call runs (and an agent waits for it): no linger.
        Properties producerProps = new Properties();
        producerProps.putAll(kafkaClientProps);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producer = new EventProducer(producerProps, name());
        loop = GroupLoop.group(GROUP_ID).topics(Topics.TOOLCALLS_APPROVED).named(name() + "-poll")
                // A shell call may take its whole time limit; keep batches small so a poll comes soon enough.
                .maxPollRecords(5).pollTimeout(pollTimeout).deadLetters(producer, name())
                // A running command gets 2 s to end before close() interrupts it (killed, its call unconfirmed).
                .closeGrace(Duration.ofSeconds(2))
                .start(kafkaClientProps, this::handle);
        LOG.info("tool executor started: workspace {}, MCP servers configured: {}", workspace.root(), mcp.names());
        // Connected now so that a misconfigured server shows in the log at start; one that is down is
        // tried again by its first call.
        mcp.discoverInBackground(name());
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        // A value that does not parse is terminal: the loop sends it to hydra.dlq.
        ToolCall call = Topics.TOOLCALLS_APPROVED.valueSerde().deserialize(record.topic(), record.value());
        if (call == null) {
            throw new IllegalArgumentException("empty value (tombstone) on " + record.topic());
        }
        if (ToolVocabulary.MEMORY.equals(call.server())) {
            return; // the memory projector runs the memory tools, and answers them
        }
        Optional<String> refusal = verifier.refusal(record.headers(), call);
        if (refusal.isPresent()) {
            refuse(record, call, refusal.get());
            return;
        }
        ToolResult result = redactor.redact(execute(call));
        RefusedCalls.acknowledged(producer.send(Topics.TOOLCALLS_RESULTS, call.id(), result, call.taskId()));
    }

    /**
     * A call the constitution did not release, or that changed after it did: never run. It goes to
     * hydra.dlq with the reason, and a REFUSED result tells the agent and, through the filter, the
     * audit.
     */
    private void refuse(ConsumerRecord<byte[], byte[]> record, ToolCall call, String reason) throws InterruptedException {
        LOG.warn("{}-{}@{}: tool call {} {} refused, not executed: {}", record.topic(), record.partition(),
                record.offset(), call.id(), call.qualifiedTool(), reason);
        RefusedCalls.refuse(producer, record, call, reason, name());
    }

    /**
     * Runs one call at most once and describes how it went; a dry-run call is answered without running.
     * A built-in file read is run again when redelivered instead: it changes nothing, and its two
     * journal writes (each forced to disk) were most of the executor's time per call.
     */
    ToolResult execute(ToolCall call) throws InterruptedException {
        if (Replay.isDryRun(call.replay())) {
            LOG.info("tool call {} {} for task {}: dry run of replay {}, not executed", call.id(), call.qualifiedTool(),
                    call.taskId(), call.replay().runId());
            return RefusedCalls.dryRun(call, Instant.now());
        }
        if (readsOnly(call)) {
            try {
                String output = run(call);
                LOG.info("tool call {} {} for task {}: OK (a read: not journaled)", call.id(), call.qualifiedTool(),
                        call.taskId());
                return new ToolResult(call.id(), call.taskId(), ToolStatus.OK, output, Instant.now());
            } catch (ToolFailure failure) {
                return new ToolResult(call.id(), call.taskId(), ToolStatus.ERROR, failure.getMessage(), Instant.now());
            } catch (RuntimeException e) {
                return new ToolResult(call.id(), call.taskId(), ToolStatus.ERROR,
                        e.getClass().getSimpleName() + ": " + e.getMessage(), Instant.now());
            }
        }
        try {
            StepJournal.StepResult step = journal.runOnce(call.id(), () -> {
                try {
                    return StepJournal.StepResult.ok(run(call));
                } catch (ToolFailure failure) {
                    return StepJournal.StepResult.failed(failure.getMessage());
                }
            });
            LOG.info("tool call {} {} for task {}: {}{}", call.id(), call.qualifiedTool(), call.taskId(),
                    step.ok() ? "OK" : "ERROR", step.replayed() ? " (replayed from the journal)" : "");
            return new ToolResult(call.id(), call.taskId(), step.ok() ? ToolStatus.OK : ToolStatus.ERROR,
                    step.summary(), Instant.now());
        } catch (InterruptedException e) {
            throw e;
        } catch (StepJournal.UnconfirmedStepException e) {
            return new ToolResult(call.id(), call.taskId(), ToolStatus.ERROR, e.getMessage(), Instant.now());
        } catch (Exception e) {
            return new ToolResult(call.id(), call.taskId(), ToolStatus.ERROR,
                    e.getClass().getSimpleName() + ": " + e.getMessage(), Instant.now());
        }
    }

    /** A built-in file tool whose effect is a read: the workspace's own code, so the effect is known, not declared. */
    private static boolean readsOnly(ToolCall call) {
        return ToolCatalog.FILESYSTEM.equals(call.server()) && ToolVocabulary.standard()
                .find(call.server(), call.tool()).map(kind -> kind.effect() == ToolEffect.READ).orElse(false);
    }

    private String run(ToolCall call) throws ToolFailure, InterruptedException {
        if (WorkspaceTools.handles(call.server())) {
            return workspace.run(call.server(), call.tool(), call.arguments());
        }
        if (mcp.handles(call.server())) {
            return mcp.run(call.server(), call.tool(), call.arguments());
        }
        throw new ToolFailure("no tool server named '" + call.server() + "' is configured (built-in: "
                + ToolCatalog.FILESYSTEM + ", " + ToolCatalog.SHELL + ", " + ToolCatalog.GIT
                + "; others under crews.mcpServers in hydra.yaml)");
    }


    @Override
    public List<String> consumerGroups() {
        return List.of(GROUP_ID);
    }

    @Override
    public boolean healthy() {
        return loop != null && loop.healthy();
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
        if (producer != null) {
            producer.close();
        }
        mcp.close();
    }
}
