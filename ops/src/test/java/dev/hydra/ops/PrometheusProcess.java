package dev.hydra.ops;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.topics.Json;
import dev.hydra.topics.config.HydraConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Prometheus server as a child process, configured from the repository's
 * {@code prometheus.yml}: same jobs and rule files, but scraping one local target every second and
 * keeping its data in a directory of its own. {@code --web.user-assets} serves {@code ops/grafana}
 * under {@code /user/}, so the dashboard preview reads the dashboard JSON and the API from one origin.
 */
final class PrometheusProcess implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus");
    static final String SCRAPE_INTERVAL = "1s";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private PrometheusProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Starts Prometheus on a free 127.0.0.1 port and returns once it answers {@code /-/ready}.
     *
     * @param repositoryConfig the repository's prometheus.yml; its rule files are resolved beside it, as Prometheus does
     * @param target the one {@code host:port} every job scrapes
     * @param userAssets served under {@code /user/}
     */
    static PrometheusProcess start(Path repositoryConfig, String target, Path dir, Path userAssets) throws Exception {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, HydraConfig.YAML.writeValueAsString(localConfig(repositoryConfig, target)));
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(BINARY.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--web.user-assets=" + userAssets.toAbsolutePath(), "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusProcess prometheus = new PrometheusProcess(process, port, log);
        try {
            await("prometheus ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("prometheus exited: " + Files.readString(log));
                        }
                        return prometheus.get("/-/ready").statusCode() == 200;
                    });
            return prometheus;
        } catch (RuntimeException | Error e) {
            prometheus.close();
            throw e;
        }
    }

    /** The repository's config with its jobs pointed at {@code target} instead of the compose services, scraped every second. */
    static ObjectNode localConfig(Path repositoryConfig, String target) throws IOException {
        ObjectNode root = (ObjectNode) HydraConfig.YAML.readTree(repositoryConfig.toFile());
        ObjectNode global = root.get("global") instanceof ObjectNode g ? g : root.putObject("global");
        global.put("scrape_interval", SCRAPE_INTERVAL);
        global.put("evaluation_interval", SCRAPE_INTERVAL);
        ArrayNode rules = root.putArray("rule_files");
        HydraConfig.YAML.readTree(repositoryConfig.toFile()).path("rule_files").forEach(file ->
                rules.add(repositoryConfig.toAbsolutePath().getParent().resolve(file.asText()).toString()));
        for (JsonNode job : root.path("scrape_configs")) {
            ((ObjectNode) job).put("scrape_interval", SCRAPE_INTERVAL);
            // The compose service names resolve only inside the compose network; here they would be DNS queries that fail.
            ((ObjectNode) job).remove("dns_sd_configs");
            ((ObjectNode) job).putArray("static_configs").addObject().putArray("targets").add(target);
        }
        return root;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code /api/v1/query}: the whole answer, {@code status} "success" or "error" with {@code error}. */
    JsonNode query(String promql) throws IOException, InterruptedException {
        return Json.parse(get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body());
    }

    JsonNode api(String path) throws IOException, InterruptedException {
        return Json.parse(get("/api/v1/" + path).body());
    }

    /** Prometheus's own output, for failure messages. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
