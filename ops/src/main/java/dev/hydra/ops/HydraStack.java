package dev.hydra.ops;

import dev.hydra.assessor.StateAssessor;
import dev.hydra.constitution.ConstitutionFilter;
import dev.hydra.constitution.FilterSettings;
import dev.hydra.memory.MemoryProjector;
import dev.hydra.router.TaskRouter;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.PauseSwitch;
import dev.hydra.topics.Redactor;
import dev.hydra.topics.Service;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.signing.WriterSignature;
import dev.hydra.topics.signing.WriterSigner;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.tools.McpServerConfig;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole of Hydra in one JVM: an embedded broker (unless an existing cluster is named), the
 * topics, every service, and the HTTP console. This is what {@code hydra up} runs and what the
 * end-to-end tests start.
 */
public final class HydraStack implements StackApi, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HydraStack.class);

    /**
     * @param bootstrap an existing cluster; empty starts the embedded broker
     * @param kafkaPort port of the embedded broker (0 = any free port)
     * @param httpPort port of the console (0 = any free port); empty = from the configuration
     */
    public record Options(HydraConfig config, Path dataDir, Optional<String> bootstrap, int kafkaPort,
                          Optional<Integer> httpPort, List<Crew> crews) {
    }

    private final Options options;
    /** The configuration's MCP servers, read once: every operator tool call is checked against them. */
    private final List<McpServerConfig> mcpServers;
    private final List<Service> services = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private EmbeddedBroker broker;
    private String bootstrap;
    /** The configuration with the credentials of this stack's cluster. */
    private HydraConfig config;
    private Properties clientProps;
    private EventProducer producer;
    private PauseSwitch pauseSwitch;
    private Vertx vertx;
    private ConsoleServer console;
    private KafkaHealthMetrics kafkaHealth;
    /** Every writer's public keys, as the stack's services verify with them. */
    private dev.hydra.topics.signing.WriterVerifier writers;

    private HydraStack(Options options) {
        this.options = options;
        this.mcpServers = McpServerConfig.from(options.config());
    }

    /** Starts everything, or stops what already started and rethrows. */
    public static HydraStack start(Options options) throws Exception {
        HydraStack stack = new HydraStack(options);
        try {
            stack.startAll();
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        config = options.config();
        Path dataDir = options.dataDir().toAbsolutePath();
        Files.createDirectories(dataDir);
        if (options.bootstrap().isPresent()) {
            bootstrap = options.bootstrap().get();
            if (config.get(KafkaSettings.CREDENTIALS_DIR).isEmpty()) {
                config = config.withEnv(Map.of(KafkaSettings.CREDENTIALS_DIR.env(),
                        dataDir.resolve("credentials").toString()));
            }
        } else {
            broker = EmbeddedBroker.start("127.0.0.1", options.kafkaPort(), dataDir,
                    config.get(OpsSettings.EMBEDDED_AUTH) ? Optional.of(AccessPolicy.of(config)) : Optional.empty());
            bootstrap = broker.bootstrap();
            // The stack's services use the credentials its broker was started with, whatever else is configured.
            config = config.withEnv(Map.of(KafkaSettings.CREDENTIALS_DIR.env(),
                    dataDir.resolve("credentials").toString(), KafkaSettings.SASL_USERNAME.env(), "",
                    KafkaSettings.CLIENT_CONFIG.env(), ""));
        }
        clientProps = clientProps(Principal.CONSOLE);
        try (Admin admin = Admin.create(clientProps(Principal.ADMIN))) {
            new TopicBootstrap(admin, KafkaSettings.Replication.of(config)).ensure(Topics.all());
        }
        producer = new EventProducer(clientProps, "hydra-console");
        // Read to its end before anything starts: a stack stopped while paused comes back paused.
        pauseSwitch = PauseSwitch.start(clientProps, "hydra-stack", Duration.ofSeconds(30));
        MetricsText.registerJvmMetrics();
        kafkaHealth = KafkaHealthMetrics.register(this::services, clientProps);

        Path stateDir = dataDir.resolve("state");
        // The signing key first: every service that runs work verifies with its public key.
        var signer = FilterSettings.signer(config, dataDir);
        // Then every writer's key (each crew, the router, the operator): what names a crew is signed by it.
        SigningSettings.ensureWriterKeys(config, dataDir);
        writers = SigningSettings.writerVerifier(config, dataDir);
        MemoryProjector memory = new MemoryProjector(config, clientProps(Principal.MEMORY), dataDir.resolve("memory"),
                SigningSettings.verifier(config, dataDir), writers);
        // Consumers first, so that the first proposals already find everyone listening.
        startService(memory);
        startService(new ConstitutionFilter(config, ServiceCommand.streamsClient(config, clientProps(Principal.CONSTITUTION)),
                stateDir, signer, writers));
        startService(new TaskRouter(config, ServiceCommand.streamsClient(config, clientProps(Principal.ROUTER)), stateDir,
                SigningSettings.verifier(config, dataDir), writers,
                SigningSettings.writerSigner(config, dataDir, WriterSignature.ROUTER)));
        // Runs the tool calls the constitution approved, for every crew of this stack.
        Redactor redactor = CrewServices.redactor(config);
        startService(CrewServices.toolExecutor(config, clientProps(Principal.TOOLS), dataDir, redactor));
        String node = config.get(OpsSettings.NODE_NAME);
        for (Crew crew : options.crews()) {
            startService(CrewServices.worker(config, clientProps(Principal.crew(crew)), crew, node, dataDir, redactor)
                    .pausedBy(pauseSwitch));
        }

        vertx = Vertx.vertx();
        console = new ConsoleServer(vertx, this, List.of(memory::routes), true);
        console.start(config.get(OpsSettings.HTTP_HOST), options.httpPort().orElse(config.get(OpsSettings.HTTP_PORT)));
        // Last: its first assessment probes the console's own /health, on the port it really has
        // (config/hydra.yaml names it ${HYDRA_HTTP_PORT:-8701}).
        startService(new StateAssessor(config.withEnv(Map.of(OpsSettings.HTTP_PORT.env(), Integer.toString(console.port()))),
                clientProps(Principal.ASSESSOR)).pausedBy(pauseSwitch).trustingWriters(writers));
    }

    /** The verifier of every writer's signature that this stack's services use (after {@code start}). */
    public dev.hydra.topics.signing.WriterVerifier writerVerifier() {
        return writers;
    }

    @Override
    public WriterSigner operatorSigner() {
        return writerSigner(WriterSignature.OPERATOR);
    }

    /** The key of one writer of this stack (a crew's wire name, router, operator), from its data directory. */
    public WriterSigner writerSigner(String writer) {
        return SigningSettings.writerSigner(config, options.dataDir().toAbsolutePath(), writer);
    }

    /** The stack's pause switch ({@code hydra pause}), as this process reads it. */
    @Override
    public java.util.Optional<PauseSwitch> pauseSwitch() {
        return java.util.Optional.ofNullable(pauseSwitch);
    }

    @Override
    public dev.hydra.topics.events.ControlSwitch setPaused(boolean paused, String by, String reason) {
        return PauseSwitch.set(producer, paused, by, reason);
    }

    /** Client properties of one principal on this stack's cluster (its own credentials, if it has any). */
    public Properties clientProps(Principal principal) {
        return KafkaSettings.client(config, bootstrap, principal);
    }

    /** The kcat line an outside producer pastes, when this stack generated the credentials. */
    public Optional<String> kcatSubmit() {
        return Optional.ofNullable(broker).flatMap(EmbeddedBroker::credentials).map(c -> c.kcatSubmit(bootstrap));
    }

    private void startService(Service service) throws Exception {
        LOG.info("starting {}", service.name());
        services.add(service);
        service.start();
    }

    public String bootstrap() {
        return bootstrap;
    }

    @Override
    public Properties clientProps() {
        Properties copy = new Properties();
        copy.putAll(clientProps);
        return copy;
    }

    public int httpPort() {
        return console.port();
    }

    @Override
    public List<Service> services() {
        return Collections.unmodifiableList(services);
    }

    @Override
    public List<TopicBootstrap.TopicState> topicStates() throws Exception {
        try (Admin admin = Admin.create(clientProps(Principal.ADMIN))) {
            return new TopicBootstrap(admin, (short) 1).inspect(Topics.all());
        }
    }

    @Override
    public void submit(Task task) throws Exception {
        producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id()).get(30, TimeUnit.SECONDS);
    }

    @Override
    public java.util.Set<String> approvers() {
        return dev.hydra.constitution.rules.Constitution.load(
                dev.hydra.constitution.FilterSettings.constitutionFile(config)).approvers();
    }

    @Override
    public Path loginsFile() {
        return config.get(OpsSettings.APPROVERS_FILE).isEmpty() ? options.dataDir().resolve("approvers")
                : Logins.file(config);
    }

    @Override
    public List<McpServerConfig> mcpServers() {
        return mcpServers;
    }

    /** Stops in reverse order of start; never throws. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // test mode closes the stack itself, then the shutdown hook tries again
        }
        List<Service> reversed = new ArrayList<>(services);
        Collections.reverse(reversed);
        if (!reversed.isEmpty() && reversed.get(0) instanceof StateAssessor) {
            quietly("state-assessor", reversed.remove(0)::close);
        }
        if (console != null) {
            quietly("console", console::close);
        }
        for (Service service : reversed) {
            quietly(service.name(), service::close);
        }
        if (vertx != null) {
            quietly("vertx", () -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        }
        if (pauseSwitch != null) {
            quietly("pause switch", pauseSwitch::close);
        }
        if (producer != null) {
            quietly("producer", producer::close);
        }
        if (kafkaHealth != null) {
            quietly("kafka health metrics", kafkaHealth::close);
        }
        if (broker != null) {
            quietly("broker", broker::close);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warn("error while stopping {}: {}", what, e.toString());
        }
    }
}
