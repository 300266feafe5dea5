package dev.hydra.topics.config;

import dev.hydra.topics.signing.ConstitutionsInForce;
import dev.hydra.topics.signing.VerdictVerifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The public keys that verify the constitution's signatures, declared once because the crews, the
 * tool executor and the filter all read it. The filter's private key is its own setting
 * ({@code constitution.signingKey}).
 */
public final class SigningSettings {
    public static final Setting<List<String>> PUBLIC_KEYS = new Setting<>("signing.publicKeys",
            "HYDRA_SIGNING_PUBLIC_KEYS", "keys/constitution-ed25519.pub", SigningSettings::files,
            "a comma-separated list of PEM public key files", "the Ed25519 public keys whose signatures crews and "
                    + "the tool executor accept (several during a key rotation); relative to the data directory");

    public static final Setting<List<String>> CONSTITUTIONS = new Setting<>("signing.constitutions",
            "HYDRA_SIGNING_CONSTITUTIONS", "", SigningSettings::sha256s,
            "a comma-separated list of 64-hex-digit SHA-256s, or empty", "the constitutions whose verdicts crews and the"
                    + " tool executor accept; empty: the one in constitution.file, followed as it changes");

    private SigningSettings() {
    }

    /** The trusted public key files, relative paths resolved against {@code dataDir}. */
    public static List<Path> publicKeyFiles(HydraConfig config, Path dataDir) {
        return config.get(PUBLIC_KEYS).stream().map(name -> dataDir.resolve(name).normalize()).toList();
    }

    /** A verifier trusting the configured keys; a key that cannot be read stops the start with the reason. */
    public static VerdictVerifier verifier(HydraConfig config, Path dataDir) {
        try {
            return VerdictVerifier.load(publicKeyFiles(config, dataDir), constitutionsInForce(config));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(PUBLIC_KEYS.path() + " (env " + PUBLIC_KEYS.env() + "): " + e.getMessage()
                    + " (the constitution filter writes its public key beside its private key, constitution.signingKey)");
        }
    }

    /** The constitutions in force: the configured hashes, else the constitution file's. */
    public static ConstitutionsInForce constitutionsInForce(HydraConfig config) {
        List<String> named = config.get(CONSTITUTIONS);
        if (!named.isEmpty()) {
            return ConstitutionsInForce.of(java.util.Set.copyOf(named));
        }
        ConstitutionsInForce file = ConstitutionsInForce.file(ConstitutionSettings.file(config));
        try {
            file.now(); // an unreadable file stops the start here, not the first verification
        } catch (java.io.UncheckedIOException e) {
            throw new ConfigException(e.getMessage() + ": set " + ConstitutionSettings.FILE.path() + " (env "
                    + ConstitutionSettings.FILE.env() + ") or " + CONSTITUTIONS.path() + " (env " + CONSTITUTIONS.env() + ")");
        }
        return file;
    }

    private static List<String> sha256s(String raw) {
        List<String> hashes = Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String hash : hashes) {
            if (!hash.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(hash);
            }
        }
        return hashes;
    }

    private static List<String> files(String raw) {
        List<String> files = Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (files.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        return files;
    }
}
