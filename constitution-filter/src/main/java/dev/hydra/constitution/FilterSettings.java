package dev.hydra.constitution;

import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.Setting;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

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
    /** The Streams application id: consumer group, transactional ids and internal topic prefix. */
    public static final String APPLICATION_ID = "hydra-constitution-filter";

    public static final Setting<String> CONSTITUTION_FILE = Setting.text("constitution.file", "HYDRA_CONSTITUTION",
            "config/constitution.yaml", "the constitution (seed format); relative to the repository root");

    public static final Setting<Optional<URI>> APPROVAL_WEBHOOK = new Setting<>("constitution.approvalWebhook",
            "HYDRA_APPROVAL_WEBHOOK", "", FilterSettings::webhook, "an http:// or https:// URL, or empty for none",
            "each new approval request is POSTed here as JSON (the seed's n8n human_approval_needed hook)");

    public static final Setting<Integer> APPROVAL_WEBHOOK_ATTEMPTS = Setting.integer(
            "constitution.approvalWebhookAttempts", "HYDRA_APPROVAL_WEBHOOK_ATTEMPTS", 5, 1, 20,
            "attempts per notification; the wait doubles from 1s between attempts");

    public static final Setting<Duration> EXPIRY_SCAN_INTERVAL = Setting.duration("constitution.expiryScanInterval",
            "HYDRA_APPROVAL_SCAN_INTERVAL", "30s", "how often (wall clock) pending approvals are checked for expiry");

    /** Same key and variable as the ops module's data directory, so one value places all state. */
    public static final Setting<String> DATA_DIR = Setting.text("data.dir", "HYDRA_DATA_DIR", "data",
            "directory for local state; Streams stores live under <data.dir>/state (standalone main only)");

    private FilterSettings() {
    }

    /** The constitution file, relative paths resolved as the class comment says. */
    public static Path constitutionFile(HydraConfig config) {
        Path file = Path.of(config.get(CONSTITUTION_FILE));
        return file.isAbsolute() ? file : repositoryRoot(config).resolve(file).normalize();
    }

    static Path repositoryRoot(HydraConfig config) {
        String origin = config.origin().toLowerCase(Locale.ROOT);
        boolean fromFile = origin.endsWith(".yaml") || origin.endsWith(".yml");
        Path base = config.baseDirectory();
        if (!fromFile || base.getParent() == null) {
            return Path.of("").toAbsolutePath();
        }
        return base.getParent();
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
