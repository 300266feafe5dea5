package dev.hydra.ops;

import dev.hydra.topics.config.HydraConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells logback (ops' {@code logback.xml}) where this command's log file is and how much of Hydra's
 * own logging the terminal shows, before the first logger exists: the long-running commands show
 * their lifecycle, every other command prints only its answer (and Hydra's warnings). Third-party
 * libraries log only to {@code <data dir>/logs/<command>.log}.
 */
final class LogSetup {
    static final String FILE_PROPERTY = "hydra.log.file";
    static final String TERMINAL_PROPERTY = "hydra.log.terminal";
    private static final Set<String> LONG_RUNNING = Set.of("up", "service", "crew", "broker", "bench", "chaos");

    private LogSetup() {
    }

    /** Sets the properties unless the caller (a test, a -D option) already did. */
    static void beforeFirstLogger(String[] args, Map<String, String> env) {
        List<String> arguments = List.of(args);
        String command = arguments.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
        // One file per long-running command, so that a `crew` next to an `up` does not interleave with it.
        boolean longRunning = LONG_RUNNING.contains(command);
        System.getProperties().putIfAbsent(TERMINAL_PROPERTY, longRunning ? "INFO" : "WARN");
        System.getProperties().putIfAbsent(FILE_PROPERTY, dataDir(arguments, env).resolve("logs")
                .resolve((longRunning ? command : "cli") + ".log").toAbsolutePath().toString());
    }

    /** The data directory the command will use: --data-dir, HYDRA_DATA_DIR, data.dir of the config, ./data. */
    static Path dataDir(List<String> args, Map<String, String> env) {
        String flag = value(args, "--data-dir");
        if (flag != null) {
            return Path.of(flag);
        }
        String configFile = value(args, "--config");
        if (configFile == null) {
            configFile = env.getOrDefault("HYDRA_CONFIG", "config/hydra.yaml");
        }
        try {
            return Path.of(HydraConfig.load(Path.of(configFile), env).get(OpsSettings.DATA_DIR));
        } catch (RuntimeException e) {
            // A broken config is reported by the command itself, with the log file in the default place.
            return Path.of(env.getOrDefault("HYDRA_DATA_DIR", "data"));
        }
    }

    private static String value(List<String> args, String option) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(option) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (args.get(i).startsWith(option + "=")) {
                return args.get(i).substring(option.length() + 1);
            }
        }
        return null;
    }
}
