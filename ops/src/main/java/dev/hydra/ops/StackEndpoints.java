package dev.hydra.ops;

import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a client command finds the stack it talks to, the same way for every command: its flag, else
 * the {@code HYDRA_*} variable, else the {@code stack.json} of the stack running in the data
 * directory, else hydra.yaml, else the default. So `./hydra up --kafka-port 39092` is followed by
 * every other command without a flag, and a second stack needs only its own data directory.
 */
final class StackEndpoints {
    private StackEndpoints() {
    }

    static String bootstrap(String flag, HydraConfig config) {
        if (flag != null) {
            return flag;
        }
        if (config.env().containsKey(KafkaSettings.BOOTSTRAP.env())) {
            return config.get(KafkaSettings.BOOTSTRAP);
        }
        return running(config).map(StackFile::kafkaBootstrap).orElseGet(() -> config.get(KafkaSettings.BOOTSTRAP));
    }

    static String httpUrl(String flag, HydraConfig config) {
        if (flag != null) {
            return withoutTrailingSlash(flag);
        }
        String url = config.get(OpsSettings.HTTP_URL);
        if (!url.isEmpty()) {
            return withoutTrailingSlash(url);
        }
        if (config.env().containsKey(OpsSettings.HTTP_PORT.env())) {
            return local(config);
        }
        return running(config).map(StackFile::httpUrl).orElseGet(() -> local(config));
    }

    /** The stack {@code hydra up} runs in the configured data directory, if any. */
    static Optional<StackFile> running(HydraConfig config) {
        return StackFile.read(Path.of(config.get(OpsSettings.DATA_DIR)));
    }

    private static String local(HydraConfig config) {
        return "http://127.0.0.1:" + config.get(OpsSettings.HTTP_PORT);
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
