package dev.hydra.ops;

import dev.hydra.topics.config.DataSettings;
import dev.hydra.topics.config.Setting;

/** The settings of the ops module, declared once. */
final class OpsSettings {
    static final Setting<Integer> HTTP_PORT = Setting.integer("http.port", "HYDRA_HTTP_PORT", 8701, 0, 65535,
            "port of the console, API, /health and /metrics");
    static final Setting<String> HTTP_HOST = Setting.text("http.host", "HYDRA_HTTP_HOST", "127.0.0.1",
            "address the console binds to");
    static final Setting<String> DATA_DIR = DataSettings.DATA_DIR;
    static final Setting<Boolean> EMBEDDED_AUTH = Setting.flag("kafka.embeddedAuth", "HYDRA_KAFKA_EMBEDDED_AUTH", true,
            "the embedded broker requires SASL/SCRAM logins and enforces Hydra's ACLs (false: anyone may do anything)");
    static final Setting<String> APPROVERS_FILE = Setting.optionalText("console.approversFile", "HYDRA_APPROVERS_FILE",
            "the people who may log in to the console and API: an htpasswd file of PBKDF2 hashes written by"
                    + " `hydra approvers add` (empty: <data.dir>/approvers)");
    static final Setting<String> HTTP_URL = new Setting<>("http.url", "HYDRA_HTTP_URL", "", url -> {
        if (!url.isEmpty() && !url.matches("https?://\\S+")) {
            throw new IllegalArgumentException(url);
        }
        return url;
    }, "an http(s) URL such as http://127.0.0.1:8701, or empty", "the console client commands (history, memory) talk to;"
            + " empty: the stack running in data.dir, else http://127.0.0.1:<http.port>");
    static final Setting<String> NODE_NAME = Setting.text("node.name", "HYDRA_NODE", "local",
            "name of this inference node, announced by its crew workers");

    private OpsSettings() {
    }
}
