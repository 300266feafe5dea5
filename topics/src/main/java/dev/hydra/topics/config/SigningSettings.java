package dev.hydra.topics.config;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.signing.ConstitutionsInForce;
import dev.hydra.topics.signing.SigningKeys;
import dev.hydra.topics.signing.WriterSignature;
import dev.hydra.topics.signing.WriterSigner;
import dev.hydra.topics.signing.WriterVerifier;
import dev.hydra.topics.signing.VerdictVerifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** Per writer (each crew, the router, the operator): its private key file, where it signs. */
    public static final Map<String, Setting<String>> WRITER_KEYS = new LinkedHashMap<>();

    /** Per writer: the public keys its signatures are verified with (several during a rotation). */
    public static final Map<String, Setting<String>> WRITER_PUBLIC_KEYS = new LinkedHashMap<>();

    static {
        // the variable names written out, so that a search (and the compose file test) finds them
        writer("research", "HYDRA_SIGNING_RESEARCH_KEY", "HYDRA_SIGNING_RESEARCH_PUBLIC_KEYS");
        writer("development", "HYDRA_SIGNING_DEVELOPMENT_KEY", "HYDRA_SIGNING_DEVELOPMENT_PUBLIC_KEYS");
        writer("infrastructure", "HYDRA_SIGNING_INFRASTRUCTURE_KEY", "HYDRA_SIGNING_INFRASTRUCTURE_PUBLIC_KEYS");
        writer("self_improvement", "HYDRA_SIGNING_SELF_IMPROVEMENT_KEY", "HYDRA_SIGNING_SELF_IMPROVEMENT_PUBLIC_KEYS");
        writer(WriterSignature.ROUTER, "HYDRA_SIGNING_ROUTER_KEY", "HYDRA_SIGNING_ROUTER_PUBLIC_KEYS");
        writer(WriterSignature.OPERATOR, "HYDRA_SIGNING_OPERATOR_KEY", "HYDRA_SIGNING_OPERATOR_PUBLIC_KEYS");
        if (!WRITER_KEYS.keySet().equals(new java.util.HashSet<>(WriterSignature.writers()))) {
            throw new IllegalStateException("a writer without key settings: " + WriterSignature.writers());
        }
    }

    private SigningSettings() {
    }

    private static void writer(String writer, String keyEnv, String publicKeysEnv) {
        // hydra.yaml paths are camelCase (self_improvement is selfImprovement there)
        String path = "signing.writers." + camel(writer) + ".";
        WRITER_KEYS.put(writer, Setting.text(path + "key", keyEnv, "keys/" + keyFileName(writer) + ".key",
                "the writer's Ed25519 private key (PKCS#8 PEM, public key beside it as .pub) that signs its records of "
                        + "hydra.tasks.status, hydra.tasks.results and hydra.toolcalls.requested; only where it runs;"
                        + " relative to the data directory"));
        WRITER_PUBLIC_KEYS.put(writer, Setting.text(path + "publicKeys", publicKeysEnv,
                "keys/" + keyFileName(writer) + ".pub",
                "a comma-separated list of the writer's PEM public key files, which the constitution filter, the router"
                        + " and the memory projector accept its signatures with; relative to the data directory"));
    }

    private static String camel(String writer) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : writer.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** {@code crew-research-ed25519}, {@code router-ed25519}, {@code operator-ed25519}. */
    static String keyFileName(String writer) {
        return (Crew.wireNames().contains(writer) ? "crew-" + writer : writer) + "-ed25519";
    }

    /** The private key file of {@code writer}, a relative path resolved against {@code dataDir}. */
    public static Path writerKeyFile(HydraConfig config, Path dataDir, String writer) {
        return dataDir.resolve(config.get(WRITER_KEYS.get(writer))).normalize();
    }

    /**
     * Generates every writer's key pair that does not exist yet, as the embedded stack does on its first
     * start (like the constitution's key); {@code hydra service} and compose name existing files instead.
     */
    public static void ensureWriterKeys(HydraConfig config, Path dataDir) {
        for (String writer : WriterSignature.writers()) {
            Path key = writerKeyFile(config, dataDir, writer);
            try {
                SigningKeys.ensure(key);
            } catch (java.io.IOException e) {
                throw new ConfigException(WRITER_KEYS.get(writer).path() + ": cannot write " + key + ": " + e.getMessage());
            }
        }
    }

    /** The signer of {@code writer} (a crew's wire name, router, operator) from its key files. */
    public static WriterSigner writerSigner(HydraConfig config, Path dataDir, String writer) {
        Setting<String> setting = WRITER_KEYS.get(writer);
        if (setting == null) {
            throw new IllegalArgumentException("writer must be one of " + WriterSignature.writers() + ", was '" + writer + "'");
        }
        try {
            return WriterSigner.load(writer, writerKeyFile(config, dataDir, writer));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(setting.path() + " (env " + setting.env() + "): " + e.getMessage());
        }
    }

    /** A verifier holding every writer's configured public keys; a key that cannot be read stops the start. */
    public static WriterVerifier writerVerifier(HydraConfig config, Path dataDir) {
        Map<String, List<Path>> files = new LinkedHashMap<>();
        for (String writer : WriterSignature.writers()) {
            Setting<String> setting = WRITER_PUBLIC_KEYS.get(writer);
            List<Path> paths = Arrays.stream(config.get(setting).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(name -> dataDir.resolve(name).normalize()).toList();
            try {
                files.put(writer, paths);
                paths.forEach(SigningKeys::readPublic);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(setting.path() + " (env " + setting.env() + "): " + e.getMessage());
            }
        }
        return WriterVerifier.load(files);
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
