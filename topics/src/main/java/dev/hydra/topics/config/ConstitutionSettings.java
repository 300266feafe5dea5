package dev.hydra.topics.config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the constitution is: the filter enforces it, and every verifier accepts only verdicts made
 * under it ({@link SigningSettings#verifier}), so the setting lives where both modules see it.
 */
public final class ConstitutionSettings {
    public static final Setting<String> FILE = Setting.text("constitution.file", "HYDRA_CONSTITUTION",
            "config/constitution.yaml", "the constitution (seed format); relative to the repository root");

    private ConstitutionSettings() {
    }

    /** The constitution file, a relative path resolved against the repository root. */
    public static Path file(HydraConfig config) {
        Path file = Path.of(config.get(FILE));
        return file.isAbsolute() ? file : repositoryRoot(config).resolve(file).normalize();
    }

    /** The directory of the config file's parent (config/hydra.yaml lives in the repository), else the working directory. */
    public static Path repositoryRoot(HydraConfig config) {
        String origin = config.origin().toLowerCase(Locale.ROOT);
        boolean fromFile = origin.endsWith(".yaml") || origin.endsWith(".yml");
        Path base = config.baseDirectory();
        if (!fromFile || base.getParent() == null) {
            return Path.of("").toAbsolutePath();
        }
        return base.getParent();
    }
}
