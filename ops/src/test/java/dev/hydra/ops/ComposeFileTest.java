package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.Json;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs here, so the compose file is checked by reading it (CI also has Debian's
 * docker-compose parse it): every file it mounts exists, every Hydra setting it passes is one Hydra
 * reads, no two services claim a host port and none is published beyond loopback; the console runs;
 * crews reach models on the Docker host; images are pinned; Prometheus finds every replica; every
 * Hydra service has a heap and a memory limit.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ENV_NAME = Pattern.compile("\"(HYDRA_[A-Z0-9_]+)\"");

    private static final Pattern HEAP_LINE = Pattern.compile("^\\s*([a-z|]+)\\) echo \"([^\"]+)\" ;;$", Pattern.MULTILINE);
    private static final Pattern MEGABYTES = Pattern.compile("(\\d+)([mg])");

    /**
     * The file as compose reads it: the services share their settings through YAML anchors and merge
     * keys ({@code <<: *hydra}), which SnakeYAML resolves (Jackson's YAML parser does not).
     */
    private static JsonNode compose() throws IOException {
        Object tree = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        return Json.MAPPER.valueToTree(tree);
    }

    /** The services built from this repository: every Hydra service, one container each. */
    private static Map<String, JsonNode> hydraServices() throws IOException {
        Map<String, JsonNode> services = new TreeMap<>();
        compose().path("services").fields().forEachRemaining(service -> {
            if (service.getValue().has("build")) {
                services.put(service.getKey(), service.getValue());
            }
        });
        assertThat(services).as("services built from this repository").isNotEmpty();
        return services;
    }

    private static List<String> command(JsonNode service) {
        List<String> args = new ArrayList<>();
        service.path("command").forEach(arg -> args.add(arg.asText()));
        return args;
    }

    /** The argument after {@code option} in the service's command. */
    private static String argument(JsonNode service, String option) {
        List<String> args = command(service);
        int at = args.indexOf(option);
        assertThat(at).as("%s in %s", option, args).isNotNegative().isLessThan(args.size() - 1);
        return args.get(at + 1);
    }

    private static boolean isCrew(JsonNode service) {
        return command(service).subList(0, 2).equals(List.of("service", "crew"));
    }

    @Test
    void everyMountedFileAndBuildContextExists() throws IOException {
        List<String> missing = new ArrayList<>();
        compose().path("services").fields().forEachRemaining(service -> {
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".") && !Files.exists(ROOT.resolve(source))) {
                    missing.add(service.getKey() + ": " + source);
                }
            }
            JsonNode build = service.getValue().path("build");
            if (!build.isMissingNode() && !Files.exists(ROOT.resolve(build.asText()).resolve("Dockerfile"))) {
                missing.add(service.getKey() + ": build " + build.asText());
            }
            for (JsonNode envFile : service.getValue().path("env_file")) {
                // .env holds secrets and is never committed; its template must be.
                if (!Files.exists(ROOT.resolve(envFile.asText() + ".example"))) {
                    missing.add(service.getKey() + ": " + envFile.asText() + ".example");
                }
            }
        });
        assertThat(missing).isEmpty();
        assertThat(ROOT.resolve(".gitignore")).content().contains(".env");
    }

    @Test
    void everyHydraSettingInTheComposeFileIsOneHydraReads() throws IOException {
        Set<String> read = settingsReadByHydra();
        Set<String> passed = new HashSet<>();
        compose().path("services").forEach(service -> service.path("environment").fieldNames().forEachRemaining(name -> {
            if (name.startsWith("HYDRA_")) {
                passed.add(name);
            }
        }));
        envExample().forEach((name, value) -> {
            if (name.startsWith("HYDRA_") && !ENV_VARIABLE_OF_COMPOSE.matcher(name).matches()) {
                passed.add(name);
            }
        });
        assertThat(passed).isNotEmpty();
        assertThat(read).containsAll(passed);
    }

    /** Compose's own variables, interpolated into the file (a crew's endpoint): not Hydra settings. */
    private static final Pattern ENV_VARIABLE_OF_COMPOSE = Pattern.compile("HYDRA_LLM_BASE_URL_[A-Z_]+");

    /** Every {@code NAME=value} line of .env.example, the commented-out examples ({@code # NAME=value}) too. */
    private static Map<String, String> envExample() throws IOException {
        Map<String, String> entries = new TreeMap<>();
        Pattern entry = Pattern.compile("^#?\\s*([A-Z][A-Z0-9_]*)=(.*)$");
        for (String line : Files.readAllLines(ROOT.resolve(".env.example"))) {
            Matcher m = entry.matcher(line);
            if (m.matches()) {
                entries.put(m.group(1), m.group(2));
            }
        }
        return entries;
    }

    @Test
    void everyHydraSettingInTheEnvTemplateHasAValueHydraAccepts() throws IOException {
        // env_file passes an empty line on as an empty variable, and Hydra rejects an empty setting
        // (e.g. HYDRA_LLM_API_KEY= stops every crew at start); unset settings belong in comments.
        List<String> empty = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve(".env.example"))) {
            if (line.matches("HYDRA_[A-Z0-9_]+=\\s*")) {
                empty.add(line);
            }
        }
        assertThat(empty).as("settings set to nothing in .env.example").isEmpty();
    }

    @Test
    void hostPortsDoNotCollide() throws IOException {
        List<String> hostPorts = new ArrayList<>();
        compose().path("services").forEach(service -> service.path("ports").forEach(port -> {
            String[] parts = port.asText().split(":");
            hostPorts.add(parts.length == 3 ? parts[0] + ":" + parts[1] : parts[0]);
        }));
        assertThat(hostPorts).isNotEmpty().doesNotHaveDuplicates();
    }

    @Test
    void theConsoleServiceServesTheApprovalPageOnLoopbackOnly() throws IOException {
        JsonNode console = compose().path("services").path("console");
        assertThat(command(console)).as("console command").startsWith("service", "console");
        List<String> ports = new ArrayList<>();
        console.path("ports").forEach(port -> ports.add(port.asText()));
        // The CLI's default --url is http://127.0.0.1:8701.
        assertThat(ports).containsExactly("127.0.0.1:8701:" + argument(console, "--http-port"));
    }

    @Test
    void everyPublishedPortIsBoundToLoopback() throws IOException {
        List<String> open = new ArrayList<>();
        compose().path("services").fields().forEachRemaining(service -> service.getValue().path("ports").forEach(port -> {
            if (!port.asText().startsWith("127.0.0.1:")) {
                open.add(service.getKey() + ": " + port.asText());
            }
        }));
        assertThat(open).as("ports published on every interface of the host").isEmpty();
    }

    @Test
    void everyCrewServiceReachesModelsOnTheDockerHostOrItsOwnEndpoint() throws IOException {
        Map<String, JsonNode> crews = new TreeMap<>(hydraServices());
        crews.values().removeIf(service -> !isCrew(service));
        assertThat(crews.keySet()).containsExactlyInAnyOrder("crew-research", "crew-development", "crew-infrastructure",
                "crew-self-improvement");
        crews.forEach((name, service) -> {
            List<String> hosts = new ArrayList<>();
            service.path("extra_hosts").forEach(host -> hosts.add(host.asText()));
            assertThat(hosts).as("%s extra_hosts", name).contains("host.docker.internal:host-gateway");
            String crew = argument(service, "--crew");
            assertThat(argument(service, "--llm-base-url")).as("%s endpoint", name)
                    .isEqualTo("${HYDRA_LLM_BASE_URL_" + crew.toUpperCase(Locale.ROOT) + ":-}");
        });
        Map<String, String> env = envExample();
        assertThat(env.get("HYDRA_LLM_BASE_URL")).as("the crews' default endpoint in .env.example")
                .startsWith("http://host.docker.internal:");
        // Inside a container, 127.0.0.1 is the container itself.
        assertThat(env).as(".env.example").allSatisfy((name, value) ->
                assertThat(value).doesNotContain("127.0.0.1").doesNotContain("localhost"));
    }

    @Test
    void everyImageIsPinnedAndKafkaUiIsAKafbatRelease() throws IOException {
        Map<String, String> images = new TreeMap<>();
        compose().path("services").fields().forEachRemaining(service -> {
            if (!service.getValue().has("build")) {
                images.put(service.getKey(), service.getValue().path("image").asText());
            }
        });
        assertThat(images).allSatisfy((service, image) -> assertThat(image).as(service)
                .matches(".+:[^:/]+$").doesNotEndWith(":latest").doesNotEndWith(":main"));
        assertThat(images.get("kafka-ui")).matches("ghcr\\.io/kafbat/kafka-ui:v\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void theBrokerRequiresALoginOnEveryListenerAndEveryHydraServiceLogsInWithTheCredentialsKafkaInitWrote()
            throws IOException {
        JsonNode services = compose().path("services");
        JsonNode kafka = services.path("kafka").path("environment");
        assertThat(kafka.path("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asText().split(","))
                .allSatisfy(listener -> assertThat(listener).endsWith(":SASL_PLAINTEXT"));
        assertThat(kafka.path("KAFKA_AUTHORIZER_CLASS_NAME").asText()).endsWith("StandardAuthorizer");
        assertThat(kafka.path("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND").asText()).isEqualTo("false");
        assertThat(kafka.path("KAFKA_SUPER_USERS").asText()).isEqualTo("User:broker");

        JsonNode init = services.path("kafka-init");
        assertThat(init.path("command").get(0).asText()).contains("topics --create").contains("acls --apply --credentials-dir /credentials");
        assertThat(init.path("environment").path("HYDRA_KAFKA_SASL_USERNAME").asText()).isEqualTo("broker");
        hydraServices().forEach((name, service) -> {
            assertThat(service.path("depends_on").path("kafka-init").path("condition").asText()).as("%s waits for kafka-init", name)
                    .isEqualTo("service_completed_successfully");
            assertThat(service.path("environment").path("HYDRA_KAFKA_CREDENTIALS_DIR").asText()).as(name).isEqualTo("/credentials");
            List<String> volumes = new ArrayList<>();
            service.path("volumes").forEach(v -> volumes.add(v.asText()));
            assertThat(volumes).as("%s volumes", name).contains("kafka-credentials:/credentials:ro");
        });
        assertThat(services.path("kafka-ui").path("environment").path("KAFKA_CLUSTERS_0_PROPERTIES_SASL_JAAS_CONFIG").asText())
                .contains("username=\"cli\"");
    }

    @Test
    void eachPrivateSigningKeyIsInAVolumeOfItsOwnMountedOnlyByTheServiceThatSignsWithIt() throws IOException {
        // volume -> the one service that signs with the key in it (kafka-init generates them all)
        Map<String, String> signers = Map.of("key-constitution", "constitution", "key-router", "router",
                "key-operator", "console", "key-research", "crew-research", "key-development", "crew-development",
                "key-infrastructure", "crew-infrastructure", "key-self-improvement", "crew-self-improvement");
        JsonNode file = compose();
        List<String> keyVolumes = new ArrayList<>();
        file.path("volumes").fieldNames().forEachRemaining(volume -> {
            if (volume.startsWith("key-")) {
                keyVolumes.add(volume);
            }
        });
        assertThat(keyVolumes).containsExactlyInAnyOrderElementsOf(signers.keySet());
        JsonNode services = file.path("services");
        services.fields().forEachRemaining(service -> {
            String name = service.getKey();
            service.getValue().path("volumes").forEach(mount -> {
                String[] parts = mount.asText().split(":");
                if (name.equals("kafka-init")) {
                    return;
                }
                if (parts[0].startsWith("key-")) {
                    assertThat(name).as("the service that mounts %s", parts[0]).isEqualTo(signers.get(parts[0]));
                    assertThat(mount.asText()).isEqualTo(parts[0] + ":/keys/private:ro");
                }
                if (parts[0].equals("signing-public")) {
                    assertThat(mount.asText()).as(name).isEqualTo("signing-public:/keys/public:ro");
                }
            });
        });
        signers.forEach((volume, service) -> {
            List<String> mounts = new ArrayList<>();
            services.path(service).path("volumes").forEach(mount -> mounts.add(mount.asText()));
            assertThat(mounts).as(service).contains(volume + ":/keys/private:ro", "signing-public:/keys/public:ro");
        });
        // every key file the services are given is one kafka-init generates (private) or publishes (public)
        String init = services.path("kafka-init").path("command").get(0).asText();
        services.path("constitution").path("environment").fields().forEachRemaining(setting -> {
            String key = setting.getKey();
            String path = setting.getValue().asText();
            if (key.startsWith("HYDRA_SIGNING_") && key.endsWith("_PUBLIC_KEYS")) {
                assertThat(path).as(key).startsWith("/keys/public/");
                String base = path.substring("/keys/public/".length(), path.length() - ".pub".length());
                assertThat(init).as(key).contains("/" + base + ".key").contains("/keys/public/");
            } else if (key.startsWith("HYDRA_SIGNING_") && key.endsWith("_KEY")) {
                assertThat(path).as(key).startsWith("/keys/private/");
                assertThat(init).as(key).contains("/" + path.substring("/keys/private/".length()));
            }
        });
    }

    @Test
    void theBrokerAndEveryHydraServiceUseOneExplicitValidReplicationThatTheBrokerCountAllows() throws IOException {
        JsonNode services = compose().path("services");
        JsonNode kafka = services.path("kafka").path("environment");
        long brokers = java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(services.fieldNames(), 0), false)
                .filter(name -> services.path(name).path("image").asText().startsWith("apache/kafka:")).count();
        String factor = kafka.path("KAFKA_DEFAULT_REPLICATION_FACTOR").asText();
        String minInsync = kafka.path("KAFKA_MIN_INSYNC_REPLICAS").asText();
        // The same values Hydra's settings accept, checked the way Hydra checks them.
        var replication = KafkaSettings.Replication.of(HydraConfig.of("{}", Map.of(
                "HYDRA_KAFKA_REPLICATION_FACTOR", factor, "HYDRA_KAFKA_MIN_INSYNC_REPLICAS", minInsync)));
        assertThat(replication.factor()).as("replication factor within the %d broker(s)", brokers).isBetween(1, (int) brokers);
        assertThat(kafka.path("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asText()).isEqualTo(factor);
        assertThat(kafka.path("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asText()).isEqualTo(factor);
        assertThat(kafka.path("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR").asText()).isEqualTo(factor);
        assertThat(kafka.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asText()).isEqualTo(minInsync);
        assertThat(kafka.path("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR").asText()).isEqualTo(minInsync);
        assertThat(kafka.path("KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE").asText()).isEqualTo("false");
        Map<String, JsonNode> creators = new TreeMap<>(hydraServices());
        creators.put("kafka-init", services.path("kafka-init"));
        creators.forEach((name, service) -> {
            JsonNode env = service.path("environment");
            assertThat(env.path("HYDRA_KAFKA_REPLICATION_FACTOR").asText()).as("%s replication factor", name).isEqualTo(factor);
            assertThat(env.path("HYDRA_KAFKA_MIN_INSYNC_REPLICAS").asText()).as("%s min.insync.replicas", name).isEqualTo(minInsync);
        });
    }

    @Test
    void kafkaUiReadsTheClusterAsTextLikeKcat() throws IOException {
        JsonNode services = compose().path("services");
        JsonNode env = services.path("kafka-ui").path("environment");
        String bootstrap = env.path("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS").asText();
        assertThat(services.path("kafka").path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText())
                .contains("://" + bootstrap);
        assertThat(bootstrap).isEqualTo(services.path("constitution").path("environment").path("HYDRA_KAFKA_BOOTSTRAP").asText());
        assertThat(env.path("KAFKA_CLUSTERS_0_DEFAULTKEYSERDE").asText()).isEqualTo("String");
        assertThat(env.path("KAFKA_CLUSTERS_0_DEFAULTVALUESERDE").asText()).isEqualTo("String");
        // Producing from the UI would put records on hydra.* topics past the constitution.
        assertThat(env.path("KAFKA_CLUSTERS_0_READONLY").asText()).isEqualTo("true");
    }

    @Test
    void prometheusDiscoversEveryReplicaOfEveryHydraServiceByDns() throws IOException {
        JsonNode prometheus = HydraConfig.YAML.readTree(ROOT.resolve("ops/prometheus/prometheus.yml").toFile());
        Map<String, Integer> discovered = new TreeMap<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            assertThat(job.has("static_configs")).as("job %s has static targets: a scaled service's other replicas"
                    + " would go unscraped", job.path("job_name").asText()).isFalse();
            for (JsonNode sd : job.path("dns_sd_configs")) {
                assertThat(sd.path("type").asText()).as("record type").isEqualTo("A");
                sd.path("names").forEach(name -> discovered.put(name.asText(), sd.path("port").asInt()));
            }
        }
        Map<String, Integer> served = new TreeMap<>();
        hydraServices().forEach((name, service) -> served.put(name, Integer.parseInt(argument(service, "--http-port"))));
        assertThat(discovered).isEqualTo(served);
    }

    @Test
    void everyHydraServiceHasTheHeapOfTheHydraScriptAndAMemoryLimitAboveIt() throws IOException {
        Map<String, String> heaps = new TreeMap<>();
        Matcher line = HEAP_LINE.matcher(Files.readString(ROOT.resolve("hydra")));
        while (line.find()) {
            for (String name : line.group(1).split("\\|")) {
                heaps.put(name, line.group(2));
            }
        }
        assertThat(heaps).as("the hydra script's heap table").containsKeys("console", "crew", "memory");
        hydraServices().forEach((name, service) -> {
            String serviceName = command(service).get(1);
            String options = service.path("environment").path("JAVA_TOOL_OPTIONS").asText();
            assertThat(options).as("%s JAVA_TOOL_OPTIONS", name).isEqualTo(heaps.get(serviceName));
            long heap = megabytes(option(options, "-Xmx"));
            long metaspace = megabytes(option(options, "-XX:MaxMetaspaceSize="));
            // Beyond heap and metaspace: code cache, thread stacks, GC structures, direct buffers (README, "Footprint").
            assertThat(megabytes(service.path("mem_limit").asText())).as("%s mem_limit", name)
                    .isGreaterThanOrEqualTo(heap + metaspace + 128);
        });
    }

    private static String option(String options, String prefix) {
        for (String option : options.split("\\s+")) {
            if (option.startsWith(prefix)) {
                return option.substring(prefix.length());
            }
        }
        throw new AssertionError(prefix + " missing from " + options);
    }

    private static long megabytes(String size) {
        Matcher m = MEGABYTES.matcher(size.toLowerCase(Locale.ROOT));
        assertThat(m.matches()).as("size %s (as 512m or 1g)", size).isTrue();
        return Long.parseLong(m.group(1)) * (m.group(2).equals("g") ? 1024 : 1);
    }

    /** The environment variables named in Hydra's settings declarations across all modules. */
    private static Set<String> settingsReadByHydra() throws IOException {
        Set<String> names = new HashSet<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/")).toList()) {
                Matcher m = ENV_NAME.matcher(Files.readString(file));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }
}
