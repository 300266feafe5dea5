package dev.hydra.ops;

import dev.hydra.constitution.FilterSettings;
import dev.hydra.constitution.rules.Constitution;
import dev.hydra.crew.CrewWorker;
import dev.hydra.crew.tools.ToolExecutorService;
import dev.hydra.topics.Redactor;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.events.Crew;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Builds the services that do work (crew workers, the tool executor) the one way every command runs
 * them: with the constitution's redactor, so that what they publish never carries a secret, with the
 * constitution's public keys ({@code signing.publicKeys}), so that they run only what it signed, and with
 * the same work directories, so that a worker finds its step journal again after a restart.
 */
final class CrewServices {
    private CrewServices() {
    }

    /** The constitution of this configuration ({@code HYDRA_CONSTITUTION}) as a redactor. */
    static Redactor redactor(HydraConfig config) {
        return Constitution.load(Path.of(config.get(FilterSettings.CONSTITUTION_FILE)));
    }

    static CrewWorker worker(HydraConfig config, Properties client, Crew crew, String node, Path dataDir,
                             Redactor redactor) {
        return new CrewWorker(config, client, crew, node, dataDir.resolve("work").resolve(crew.wireName()), redactor,
                SigningSettings.verifier(config, dataDir), SigningSettings.writerSigner(config, dataDir, crew.wireName()),
                SigningSettings.writerVerifier(config, dataDir));
    }

    static ToolExecutorService toolExecutor(HydraConfig config, Properties client, Path dataDir, Redactor redactor) {
        return new ToolExecutorService(config, client, dataDir.resolve("work"), redactor,
                SigningSettings.verifier(config, dataDir));
    }
}
