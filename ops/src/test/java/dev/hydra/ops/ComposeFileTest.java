package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.config.HydraConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so the compose file is checked by reading it: every file it mounts
 * exists, every Hydra setting it passes is one Hydra reads, and no two services claim a host port.
 */
class ComposeFileTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ENV_NAME = Pattern.compile("\"(HYDRA_[A-Z0-9_]+)\"");

    private static JsonNode compose() throws IOException {
        return HydraConfig.YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
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
        for (String line : Files.readAllLines(ROOT.resolve(".env.example"))) {
            if (line.startsWith("HYDRA_")) {
                passed.add(line.substring(0, line.indexOf('=')));
            }
        }
        assertThat(passed).isNotEmpty();
        assertThat(read).containsAll(passed);
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
