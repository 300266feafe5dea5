package dev.hydra.memory;

import dev.hydra.topics.config.Setting;
import java.time.Duration;

/** Every setting of the memory projector, declared once (section {@code memory:} of hydra.yaml). */
public final class MemorySettings {

    /** An optional URL: empty means "use the embedded stand-in". */
    private static Setting<String> optionalUrl(String path, String env, String description) {
        return new Setting<>(path, env, "", raw -> {
            if (!raw.isEmpty() && !raw.matches("(?i)(jdbc:postgresql|https?)://\\S+")) {
                throw new IllegalArgumentException(raw);
            }
            return raw;
        }, "empty (embedded) or a URL such as http://127.0.0.1:6334 or jdbc:postgresql://127.0.0.1:5432/hydra?user=hydra",
                description);
    }

    public static final Setting<Integer> PORT = Setting.integer("memory.port", "HYDRA_MEMORY_PORT", 8706, 1, 65535,
            "HTTP port of the standalone memory projector (inside `hydra up` it shares the console's port)");
    public static final Setting<String> DATA_DIR = Setting.text("memory.dataDir", "HYDRA_MEMORY_DATA_DIR",
            "data/memory", "data directory of the standalone service (archival store, Postgres, offsets)");
    public static final Setting<String> QDRANT_URL = optionalUrl("memory.qdrantUrl", "HYDRA_QDRANT_URL",
            "Qdrant gRPC endpoint for archival memory; empty: an on-disk store under the data directory");
    public static final Setting<String> QDRANT_API_KEY = new Setting<>("memory.qdrantApiKey", "HYDRA_QDRANT_API_KEY",
            "", raw -> raw, "any string (empty: no key)", "Qdrant API key");
    public static final Setting<String> QDRANT_COLLECTION = Setting.text("memory.qdrantCollection",
            "HYDRA_QDRANT_COLLECTION", "hydra_archival", "Qdrant collection of archival memory");
    public static final Setting<String> POSTGRES_URL = optionalUrl("memory.postgresUrl", "HYDRA_POSTGRES_URL",
            "JDBC URL of the hydra database (needs wal_level=logical); empty: an embedded Postgres under the data directory");
    public static final Setting<String> POSTGRES_USER = Setting.text("memory.postgresUser", "HYDRA_POSTGRES_USER",
            "postgres", "user for HYDRA_POSTGRES_URL when the URL names none (needs the REPLICATION attribute)");
    public static final Setting<String> POSTGRES_PASSWORD = new Setting<>("memory.postgresPassword",
            "HYDRA_POSTGRES_PASSWORD", "", raw -> raw, "any string (empty: none)",
            "password for HYDRA_POSTGRES_URL when the URL carries none");
    public static final Setting<Integer> POSTGRES_PORT = Setting.integer("memory.postgresPort",
            "HYDRA_MEMORY_POSTGRES_PORT", 0, 0, 65535, "port of the embedded Postgres; 0 picks a free port");
    public static final Setting<Boolean> ARCHIVAL = Setting.flag("memory.archival", "HYDRA_MEMORY_ARCHIVAL", true,
            "embed results and findings into archival memory");
    public static final Setting<Boolean> CHANGE_CAPTURE = Setting.flag("memory.changeCapture",
            "HYDRA_MEMORY_CHANGE_CAPTURE", true, "stream the backlog tables into hydra.cdc.<table> and sink hydra.audit into Postgres");
    public static final Setting<Duration> AUDIT_RETENTION = Setting.duration("memory.auditRetention",
            "HYDRA_MEMORY_AUDIT_RETENTION", "365d", "how long audit_log rows are kept");
    public static final Setting<Duration> RETENTION_INTERVAL = Setting.duration("memory.retentionInterval",
            "HYDRA_MEMORY_RETENTION_INTERVAL", "1h", "how often the audit_log retention job runs");

    private MemorySettings() {
    }
}
