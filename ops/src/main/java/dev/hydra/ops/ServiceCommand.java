package dev.hydra.ops;

import dev.hydra.assessor.StateAssessor;
import dev.hydra.constitution.ConstitutionFilter;
import dev.hydra.constitution.FilterSettings;
import dev.hydra.crew.CrewWorker;
import dev.hydra.memory.MemoryProjector;
import dev.hydra.router.TaskRouter;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.PauseSwitch;
import dev.hydra.topics.Service;
import dev.hydra.topics.StreamsConfigs;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.tools.McpServerConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hydra service NAME}: one service in its own process, with /health and /metrics, against an
 * existing cluster. This is what each container of the compose stack runs.
 */
@Command(name = "service", mixinStandardHelpOptions = true,
        description = {"Runs one service in this process against an existing cluster, serving /health and /metrics.",
                "NAME: assessor, constitution, router, crew, tools (the tool executor), memory,",
                "console (the operator console: approval page, live view and API, reading the topics).",
                "The hydra script gives each NAME a heap limit (-Xmx) unless HYDRA_JAVA_OPTS is set."})
final class ServiceCommand implements Callable<Integer> {
    enum Name { assessor, constitution, router, crew, tools, memory, console }

    @Mixin
    HydraCli.Connection connection;

    @Parameters(paramLabel = "NAME", description = "one of: ${COMPLETION-CANDIDATES}")
    Name name;

    @Option(names = "--crew", description = "the crew, for NAME=crew: research, development, infrastructure, self_improvement")
    String crew;

    @Option(names = "--node", description = "this inference node's name, for NAME=crew (default: node.name of the config)")
    String node;

    /** Empty counts as absent: the compose file passes {@code ${HYDRA_LLM_BASE_URL_<CREW>:-}}, empty when unset. */
    @Option(names = "--llm-base-url", paramLabel = "URL", description = {"this crew's OpenAI-compatible endpoint, for NAME=crew",
            "(empty or absent: crews.llm.baseUrl of the config, env HYDRA_LLM_BASE_URL)"})
    String llmBaseUrl;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "state and work directories (default: data.dir of the config)")
    Path dataDir;

    @Option(names = "--http-port", description = "port of /health and /metrics (default: ${DEFAULT-VALUE}, any free port)", defaultValue = "0")
    int httpPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean ownEndpoint = llmBaseUrl != null && !llmBaseUrl.isBlank();
        if (ownEndpoint && name != Name.crew) {
            throw new IllegalArgumentException("--llm-base-url is for NAME=crew only, not " + name);
        }
        HydraConfig config = ownEndpoint ? connection.config().withEnv(Map.of("HYDRA_LLM_BASE_URL", llmBaseUrl))
                : connection.config();
        Properties client = KafkaSettings.client(config, connection.bootstrap(config), principal());
        Path data = (dataDir != null ? dataDir : Path.of(config.get(OpsSettings.DATA_DIR))).toAbsolutePath();
        Service service = create(config, client, data);
        // The assessor and a crew follow hydra pause like the whole stack does; read to its end before they
        // start, so one started while the stack is paused proposes or claims nothing.
        boolean follows = service instanceof StateAssessor || service instanceof CrewWorker;
        try (PauseSwitch pause = follows ? PauseSwitch.start(client, "service-" + service.name(), Duration.ofSeconds(30))
                : null) {
            if (service instanceof StateAssessor assessor) {
                assessor.pausedBy(pause);
            } else if (service instanceof CrewWorker worker) {
                worker.pausedBy(pause);
            }
            return serve(service, config, client,
                    KafkaSettings.client(config, connection.bootstrap(config), Principal.CONSOLE), data, httpPort,
                    spec.commandLine().getOut());
        }
    }

    /** The Kafka principal the service authenticates as. */
    private Principal principal() {
        return switch (name) {
            case assessor -> Principal.ASSESSOR;
            case constitution -> Principal.CONSTITUTION;
            case router -> Principal.ROUTER;
            case memory -> Principal.MEMORY;
            case tools -> Principal.TOOLS;
            case console -> Principal.CONSOLE;
            case crew -> Principal.crew(Crew.fromWire(requiredCrew()));
        };
    }

    private String requiredCrew() {
        if (crew == null) {
            throw new IllegalArgumentException("--crew is required for NAME=crew, one of " + Crew.wireNames());
        }
        return crew;
    }

    /**
     * Runs one service with /health and /metrics until the JVM is asked to stop.
     *
     * @param apiClient what the HTTP API (submit, decisions) produces as: the console's principal,
     *                  the one that may write decisions; the service itself keeps its own
     */
    static int serve(Service service, HydraConfig config, Properties client, Properties apiClient, Path data,
                     int httpPort, PrintWriter out) throws Exception {
        try (Admin admin = Admin.create(client)) {
            new TopicBootstrap(admin, KafkaSettings.Replication.of(config)).ensure(Topics.all());
        }
        List<Consumer<Router>> routes = service instanceof MemoryProjector memory ? List.of(memory::routes) : List.of();
        MetricsText.registerJvmMetrics();
        Vertx vertx = Vertx.vertx();
        try (EventProducer producer = new EventProducer(apiClient, "hydra-service-" + service.name());
             KafkaHealthMetrics kafkaHealth = KafkaHealthMetrics.register(() -> List.of(service), client)) {
            service.start();
            // read once: every operator tool call is checked against them
            List<McpServerConfig> mcpServers = McpServerConfig.from(config);
            StackApi api = new StackApi() {
                @Override
                public List<Service> services() {
                    return List.of(service);
                }

                @Override
                public List<TopicBootstrap.TopicState> topicStates() throws Exception {
                    try (Admin admin = Admin.create(client)) {
                        return new TopicBootstrap(admin, (short) 1).inspect(Topics.all());
                    }
                }

                @Override
                public Properties clientProps() {
                    return apiClient;
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
                    return Logins.file(config);
                }

                @Override
                public List<McpServerConfig> mcpServers() {
                    return mcpServers;
                }

                @Override
                public dev.hydra.topics.signing.WriterSigner operatorSigner() {
                    return SigningSettings.writerSigner(config, data, dev.hydra.topics.signing.WriterSignature.OPERATOR);
                }
            };
            // The console service is the live view itself; every other service serves only its own API.
            ConsoleServer console = service instanceof LiveView view ? new ConsoleServer(vertx, api, routes, view)
                    : new ConsoleServer(vertx, api, routes, false);
            console.start(config.get(OpsSettings.HTTP_HOST), httpPort);
            out.println(service.name() + " running; health and metrics on http://127.0.0.1:" + console.port());
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                console.close();
                service.close();
                stopped.countDown();
            }, "hydra-shutdown"));
            stopped.await();
        } finally {
            vertx.close();
        }
        return 0;
    }

    /** A Streams application's client: its login, and this instance's standby and membership settings. */
    static Properties streamsClient(HydraConfig config, Properties client) {
        Properties props = new Properties();
        props.putAll(client);
        props.putAll(StreamsConfigs.instance(config));
        return props;
    }

    private Service create(HydraConfig config, Properties client, Path data) {
        Path stateDir = data.resolve("state");
        return switch (name) {
            // the writers' keys under this service's data directory (only the iteration reports need them)
            case assessor -> config.get(dev.hydra.assessor.AssessorSettings.LEARNING)
                    ? new StateAssessor(config, client).trustingWriters(SigningSettings.writerVerifier(config, data))
                    : new StateAssessor(config, client);
            case constitution -> new ConstitutionFilter(config, streamsClient(config, client), stateDir,
                    FilterSettings.signer(config, data), SigningSettings.writerVerifier(config, data));
            case router -> new TaskRouter(config, streamsClient(config, client), stateDir, SigningSettings.verifier(config, data),
                    SigningSettings.writerVerifier(config, data),
                    SigningSettings.writerSigner(config, data, dev.hydra.topics.signing.WriterSignature.ROUTER));
            case memory -> new MemoryProjector(config, client, data.resolve("memory"),
                    SigningSettings.verifier(config, data), SigningSettings.writerVerifier(config, data));
            case console -> new LiveView(client);
            case tools -> CrewServices.toolExecutor(config, client, data, CrewServices.redactor(config));
            case crew -> {
                yield CrewServices.worker(config, client, Crew.fromWire(requiredCrew()),
                        node != null ? node : config.get(OpsSettings.NODE_NAME), data, CrewServices.redactor(config));
            }
        };
    }
}
