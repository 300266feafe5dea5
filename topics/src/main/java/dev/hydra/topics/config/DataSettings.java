package dev.hydra.topics.config;

import java.nio.file.Path;

/** Where a Hydra installation keeps its data; read by the stack and by every client looking for its credentials. */
public final class DataSettings {
    public static final Setting<String> DATA_DIR = Setting.text("data.dir", "HYDRA_DATA_DIR", "data",
            "where the embedded broker, state stores, credentials and crew working directories live");

    private DataSettings() {
    }

    public static Path dataDir(HydraConfig config) {
        return Path.of(config.get(DATA_DIR));
    }
}
