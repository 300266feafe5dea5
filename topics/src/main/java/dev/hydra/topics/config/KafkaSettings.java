package dev.hydra.topics.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * The Kafka connection every service shares, and the one place a client's credentials are found.
 * A client of principal P uses, in this order of precedence: a user name and password given by flag
 * or environment ({@code HYDRA_KAFKA_SASL_USERNAME} / {@code _PASSWORD}), a client properties file
 * ({@code HYDRA_KAFKA_CLIENT_CONFIG}, as Kafka's own tools take with {@code --command-config}), the
 * file {@code hydra up} generated for P ({@code <data dir>/credentials/P.properties}); with none of
 * them it connects without authentication, as a cluster without SASL expects.
 */
public final class KafkaSettings {
    public static final Setting<String> BOOTSTRAP = Setting.hostPorts("kafka.bootstrap", "HYDRA_KAFKA_BOOTSTRAP",
            "127.0.0.1:9092", "Kafka bootstrap servers");
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.integer("kafka.replicationFactor",
            "HYDRA_KAFKA_REPLICATION_FACTOR", 1, 1, 5, "replication factor for topics Hydra creates");
    /**
     * How many replicas must have a write before an acks=all producer (every Hydra producer) is told it
     * landed: 2 of 3 survives one lost broker with no acknowledged record lost and writes still accepted.
     * At most {@link #REPLICATION_FACTOR}; {@link #replication} checks the pair.
     */
    public static final Setting<Integer> MIN_INSYNC_REPLICAS = Setting.integer("kafka.minInsyncReplicas",
            "HYDRA_KAFKA_MIN_INSYNC_REPLICAS", 1, 1, 5, "min.insync.replicas of the topics Hydra creates (at most kafka.replicationFactor)");
    public static final Setting<String> CREDENTIALS_DIR = Setting.optionalText("kafka.credentialsDir",
            "HYDRA_KAFKA_CREDENTIALS_DIR", "directory of the generated <principal>.properties files (empty: <data.dir>/credentials)");
    public static final Setting<String> SASL_USERNAME = Setting.optionalText("kafka.sasl.username",
            "HYDRA_KAFKA_SASL_USERNAME", "SCRAM user name of this client (empty: from the client config or the credentials directory)");
    public static final Setting<String> SASL_PASSWORD = Setting.optionalText("kafka.sasl.password",
            "HYDRA_KAFKA_SASL_PASSWORD", "SCRAM password of kafka.sasl.username");
    public static final Setting<String> SASL_MECHANISM = Setting.text("kafka.sasl.mechanism",
            "HYDRA_KAFKA_SASL_MECHANISM", ScramLogin.MECHANISM, "SASL mechanism of kafka.sasl.username");
    public static final Setting<String> CLIENT_CONFIG = Setting.optionalText("kafka.clientConfig",
            "HYDRA_KAFKA_CLIENT_CONFIG", "a Kafka client properties file merged into every client (security settings of a company cluster)");

    private KafkaSettings() {
    }

    /**
     * How a cluster keeps Hydra's records: each on {@code factor} brokers, a write acknowledged once
     * {@code minInsync} of them have it. The broker's internal topics (offsets, transactions) and
     * Streams' internal topics follow the same pair.
     */
    public record Replication(int factor, int minInsync) {
        /** One broker: nothing else is possible. */
        public static final Replication SINGLE = new Replication(1, 1);

        public Replication {
            if (minInsync > factor) {
                throw new ConfigException(MIN_INSYNC_REPLICAS.path() + " (env " + MIN_INSYNC_REPLICAS.env()
                        + ") must be at most " + REPLICATION_FACTOR.path() + " (" + factor + "), was " + minInsync);
            }
        }

        /** {@link #REPLICATION_FACTOR} and {@link #MIN_INSYNC_REPLICAS} of the configuration. */
        public static Replication of(HydraConfig config) {
            return new Replication(config.get(REPLICATION_FACTOR), config.get(MIN_INSYNC_REPLICAS));
        }
    }

    /** Client properties with only the bootstrap servers set: a cluster without authentication. */
    public static Properties client(String bootstrap) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return props;
    }

    /** Client properties of {@code principal}, with the bootstrap servers of the configuration. */
    public static Properties client(HydraConfig config, Principal principal) {
        return client(config, config.get(BOOTSTRAP), principal);
    }

    /** Client properties of {@code principal} for {@code bootstrap}, credentials found as the class comment says. */
    public static Properties client(HydraConfig config, String bootstrap, Principal principal) {
        Properties props = new Properties();
        credentialsFile(config, principal).ifPresent(file -> props.putAll(load(file, "the credentials of " + principal)));
        String clientConfig = config.get(CLIENT_CONFIG);
        if (!clientConfig.isEmpty()) {
            props.putAll(load(Path.of(clientConfig), CLIENT_CONFIG.path() + " (env " + CLIENT_CONFIG.env() + ")"));
        }
        String username = config.get(SASL_USERNAME);
        if (!username.isEmpty()) {
            String password = config.get(SASL_PASSWORD);
            if (password.isEmpty()) {
                throw new ConfigException(SASL_PASSWORD.path() + " (env " + SASL_PASSWORD.env() + ") is required with "
                        + SASL_USERNAME.path() + " (env " + SASL_USERNAME.env() + ")");
            }
            props.putAll(ScramLogin.clientProps(username, password, config.get(SASL_MECHANISM)));
        }
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return props;
    }

    /** The directory of the generated credentials: the setting, or {@code <data.dir>/credentials}. */
    public static Path credentialsDir(HydraConfig config) {
        String dir = config.get(CREDENTIALS_DIR);
        return dir.isEmpty() ? DataSettings.dataDir(config).resolve("credentials") : Path.of(dir);
    }

    private static Optional<Path> credentialsFile(HydraConfig config, Principal principal) {
        Path file = credentialsDir(config).resolve(principal.name() + ".properties");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** Reads a properties file, naming {@code what} if it cannot be read. */
    public static Properties load(Path file, String what) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new ConfigException(what + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        return props;
    }

    /** SASL/SCRAM client settings, the shape Kafka's clients (and {@code kcat -X}) take them in. */
    public static final class ScramLogin {
        public static final String MECHANISM = "SCRAM-SHA-512";
        private static final Pattern JAAS = Pattern.compile("username=\"([^\"]*)\"\\s+password=\"([^\"]*)\"");

        private ScramLogin() {
        }

        public static Properties clientProps(String username, String password, String mechanism) {
            Properties props = new Properties();
            props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
            props.put(SaslConfigs.SASL_MECHANISM, mechanism);
            props.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(mechanism, username, password));
            return props;
        }

        static String jaas(String mechanism, String username, String password) {
            String module = mechanism.startsWith("SCRAM") ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                    : "org.apache.kafka.common.security.plain.PlainLoginModule";
            return module + " required username=\"" + username + "\" password=\"" + password + "\";";
        }

        /** The user name and password inside client properties made by {@link #clientProps}, if any. */
        public static Optional<String[]> userAndPassword(Properties props) {
            Matcher m = JAAS.matcher(props.getProperty(SaslConfigs.SASL_JAAS_CONFIG, ""));
            return m.find() ? Optional.of(new String[] {m.group(1), m.group(2)}) : Optional.empty();
        }
    }
}
