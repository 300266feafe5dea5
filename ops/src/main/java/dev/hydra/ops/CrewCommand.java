package dev.hydra.ops;

import dev.hydra.crew.CrewWorker;
import dev.hydra.topics.PauseSwitch;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.events.Crew;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hydra crew}: a crew worker next to an inference node. Start one per node; workers of the
 * same crew share the crew's consumer group, so Kafka spreads the crew's tasks over them.
 */
@Command(name = "crew", mixinStandardHelpOptions = true,
        header = "Runs a crew worker for one inference node against an existing cluster.",
        description = {"Runs a crew worker for one inference node against an existing cluster, e.g.",
                "  hydra crew --crew research --node hydra-ai --llm-base-url http://127.0.0.1:4000/v1 --bootstrap "
                        + "kafka:9092"})
final class CrewCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Option(names = "--crew", required = true, description = "research, development, infrastructure or self_improvement")
    String crew;

    @Option(names = "--node", description = "this inference node's name (default: node.name of the config)")
    String node;

    @Option(names = "--llm-base-url", description = "OpenAI-compatible endpoint of this node (LiteLLM, TabbyAPI, Ollama, vLLM); env HYDRA_LLM_BASE_URL")
    String llmBaseUrl;

    @Option(names = "--model", description = "model name at that endpoint; env HYDRA_LLM_MODEL")
    String model;

    @Option(names = "--concurrency", description = "tasks this worker runs at once, as many as the node serves in parallel; env HYDRA_CREW_CONCURRENCY (default 1)")
    Integer concurrency;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "work directory root (default: data.dir of the config)")
    Path dataDir;

    @Option(names = "--http-port", description = "port of /health and /metrics (default: ${DEFAULT-VALUE}, any free port)", defaultValue = "0")
    int httpPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (llmBaseUrl != null) {
            env.put("HYDRA_LLM_BASE_URL", llmBaseUrl);
        }
        if (model != null) {
            env.put("HYDRA_LLM_MODEL", model);
        }
        if (concurrency != null) {
            env.put("HYDRA_CREW_CONCURRENCY", concurrency.toString());
        }
        HydraConfig config = SettingsCatalog.checked(HydraConfig.load(connection.configFile, env));
        Crew which = Crew.fromWire(crew);
        Properties client = KafkaSettings.client(config, connection.bootstrap(config), Principal.crew(which));
        Path data = (dataDir != null ? dataDir : Path.of(config.get(OpsSettings.DATA_DIR))).toAbsolutePath();
        CrewWorker worker = CrewServices.worker(config, client, which,
                node != null ? node : config.get(OpsSettings.NODE_NAME), data, CrewServices.redactor(config));
        // Read to its end before the worker starts: a crew started while the stack is paused claims nothing.
        try (PauseSwitch pause = PauseSwitch.start(client, "crew-" + which.wireName(), java.time.Duration.ofSeconds(30))) {
            return ServiceCommand.serve(worker.pausedBy(pause), config, client,
                    KafkaSettings.client(config, connection.bootstrap(config), Principal.CONSOLE), data, httpPort,
                    spec.commandLine().getOut());
        }
    }
}
