package dev.hydra.crew;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Setting;
import dev.hydra.topics.events.Crew;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The worker's command line: {@code --crew --node --llm-base-url --llm-model --config --work-dir}.
 * Each option is only another way to set an environment variable, so a setting still has one
 * declaration ({@link CrewSettings}) and one precedence order.
 */
public final class CrewCommandLine {
    static final Setting<Crew> CREW = Setting.oneOf("crews.worker.crew", "HYDRA_CREW", Crew.INFRASTRUCTURE, Crew.class,
            "the crew this worker serves");
    static final Setting<String> NODE = Setting.text("crews.worker.node", "HYDRA_CREW_NODE", "local",
            "the inference node this worker runs next to");
    static final Setting<String> CONFIG = Setting.text("-", "HYDRA_CONFIG", "config/hydra.yaml", "hydra.yaml path");
    public static final Setting<String> WORK_DIR = Setting.text("crews.worker.workDir", "HYDRA_CREW_WORK_DIR", ".",
            "directory commands run in and the step journal lives in");

    private static final Map<String, String> OPTIONS = Map.of(
            "--crew", "HYDRA_CREW",
            "--node", "HYDRA_CREW_NODE",
            "--llm-base-url", "HYDRA_LLM_BASE_URL",
            "--llm-model", "HYDRA_LLM_MODEL",
            "--llm-api-key", "HYDRA_LLM_API_KEY",
            "--config", "HYDRA_CONFIG",
            "--work-dir", "HYDRA_CREW_WORK_DIR",
            "--bootstrap", "HYDRA_KAFKA_BOOTSTRAP",
            "--capabilities", "HYDRA_CREW_CAPABILITIES");

    private CrewCommandLine() {
    }

    /** The environment with the command-line options laid over it. */
    static Map<String, String> environment(String[] args, Map<String, String> env) {
        Map<String, String> merged = new HashMap<>(env);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            String variable = OPTIONS.get(name);
            if (variable == null) {
                throw new ConfigException("unknown option " + arg + "; options are " + OPTIONS.keySet());
            }
            String value;
            if (arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException(name + " needs a value");
            }
            merged.put(variable, value);
        }
        return merged;
    }

    public static HydraConfig config(String[] args, Map<String, String> env) {
        Map<String, String> merged = environment(args, env);
        HydraConfig bootstrap = HydraConfig.of("{}", merged);
        return HydraConfig.load(Path.of(bootstrap.get(CONFIG)), merged);
    }

    static CrewWorker worker(String[] args, Map<String, String> env) {
        HydraConfig config = config(args, env);
        return new CrewWorker(config, KafkaSettings.client(config.get(KafkaSettings.BOOTSTRAP)), config.get(CREW),
                config.get(NODE), Path.of(config.get(WORK_DIR)));
    }
}
