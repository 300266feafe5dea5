package dev.hydra.constitution;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.ConstitutionSettings;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.Setting;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.signing.SigningKeys;
import dev.hydra.topics.signing.VerdictSigner;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The constitution filter's settings ({@code constitution:} section of hydra.yaml), declared once.
 *
 * <p>A relative {@code constitution.file} is resolved against the repository root, which is the
 * parent of the directory holding hydra.yaml ({@code config/hydra.yaml} → the repository), so the
 * default {@code config/constitution.yaml} is the file beside hydra.yaml. A configuration that was
 * not read from a YAML file ({@link HydraConfig#of}) resolves against the working directory.
 *
 * <p>How long approvals wait is the constitution's {@code approval_timeout}, not a setting here: a
 * deployment must not be able to loosen the constitution from outside it.
 */
public final class FilterSettings {
    private static final Logger LOG = LoggerFactory.getLogger(FilterSettings.class);
    /** The Streams application id: consumer group, transactional ids and internal topic prefix. */
    public static final String APPLICATION_ID = "hydra-constitution-filter";

    public static final Setting<String> CONSTITUTION_FILE = ConstitutionSettings.FILE;

    public static final Setting<Optional<URI>> APPROVAL_WEBHOOK = new Setting<>("constitution.approvalWebhook",
            "HYDRA_APPROVAL_WEBHOOK", "", FilterSettings::webhook, "an http:// or https:// URL, or empty for none",
            "each new approval request is POSTed here as JSON (the seed's n8n human_approval_needed hook)");

    public static final Setting<Integer> APPROVAL_WEBHOOK_ATTEMPTS = Setting.integer(
            "constitution.approvalWebhookAttempts", "HYDRA_APPROVAL_WEBHOOK_ATTEMPTS", 5, 1, 20,
            "attempts per notification; the wait doubles from 1s between attempts");

    public static final Setting<Duration> EXPIRY_SCAN_INTERVAL = Setting.duration("constitution.expiryScanInterval",
            "HYDRA_APPROVAL_SCAN_INTERVAL", "30s", "how often (wall clock) pending approvals are checked for expiry");

    /**
     * Every verdict is written in a transaction with its audit record and the consumed offset, and no
     * executor, router or agent sees it before that transaction commits: a tool call waits on average
     * half this interval plus one commit at the filter. 100 ms (Streams' default) made the constitution
     * most of a tool call's round trip; 10 ms commits at most 100 transactions a second, and only while
     * there is work (an idle application does not commit).
     */
    public static final Setting<Duration> COMMIT_INTERVAL = Setting.duration("constitution.commitInterval",
            "HYDRA_CONSTITUTION_COMMIT_INTERVAL", "10ms", "how often the filter commits its exactly-once "
                    + "transaction (verdicts are invisible downstream until it does): latency against commits per second");

    /** Same key and variable as the ops module's data directory, so one value places all state. */
    public static final Setting<String> DATA_DIR = Setting.text("data.dir", "HYDRA_DATA_DIR", "data",
            "directory for local state; Streams stores live under <data.dir>/state (standalone main only)");

    /** The private key only the filter holds; its public key lies beside it as {@code .pub}. */
    public static final Setting<String> SIGNING_KEY = Setting.text("constitution.signingKey", "HYDRA_SIGNING_KEY",
            "keys/constitution-ed25519.key", "the Ed25519 private key (PKCS#8 PEM, its public key beside it as .pub) "
                    + "that signs every ALLOW and approved release; relative to the data directory");

    private FilterSettings() {
    }

    /** The signing key file, a relative path resolved against {@code dataDir}. */
    public static Path signingKeyFile(HydraConfig config, Path dataDir) {
        return dataDir.resolve(config.get(SIGNING_KEY)).normalize();
    }

    /**
     * The filter's signer from its key files, generated first when the private key does not exist
     * yet (the first start of a stack); a key that cannot be read stops the start with the reason.
     */
    public static VerdictSigner signer(HydraConfig config, Path dataDir) {
        Path key = signingKeyFile(config, dataDir);
        try {
            if (SigningKeys.ensure(key)) {
                LOG.warn("generated the constitution's signing key {} and its public key {}: give the public key to "
                        + "every crew and tool executor ({})", key, SigningKeys.publicKeyBeside(key),
                        SigningSettings.PUBLIC_KEYS.path());
            }
            return VerdictSigner.load(key);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(SIGNING_KEY.path() + " (env " + SIGNING_KEY.env() + "): " + e.getMessage());
        }
    }

    /** The constitution file, relative paths resolved as the class comment says. */
    public static Path constitutionFile(HydraConfig config) {
        return ConstitutionSettings.file(config);
    }

    static Path repositoryRoot(HydraConfig config) {
        return ConstitutionSettings.repositoryRoot(config);
    }

    private static Optional<URI> webhook(String raw) {
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        URI uri = URI.create(raw);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException(raw);
        }
        return Optional.of(uri);
    }
}
