package dev.hydra.crew.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.Setting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code services:} section of hydra.yaml as the infrastructure crew reads it: which command
 * restarts which service, and how long it may take.
 */
public final class ServiceCatalog {

    /** One restartable service. {@code restart} is an argv list (program and arguments, no shell). */
    public record ServiceSpec(String name, List<String> restart, Duration restartTimeout) {
        public ServiceSpec {
            restart = List.copyOf(restart);
        }
    }

    private static final String DEFAULT_TIMEOUT = "30s";

    private final Map<String, ServiceSpec> services;

    public ServiceCatalog(Map<String, ServiceSpec> services) {
        this.services = Map.copyOf(services);
    }

    /** Reads {@code services:}; a malformed entry stops the worker with a message naming it. */
    public static ServiceCatalog from(HydraConfig config) {
        JsonNode list = config.section(dev.hydra.crew.CrewSettings.SERVICES_PATH);
        Map<String, ServiceSpec> services = new LinkedHashMap<>();
        if (list.isMissingNode() || list.isNull()) {
            return new ServiceCatalog(services);
        }
        if (!list.isArray()) {
            throw new ConfigException(config.origin() + ": services must be a list of {name, restart, restartTimeout}");
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String where = "services[" + i + "]";
            String name = entry.path("name").asText("");
            if (name.isBlank()) {
                throw new ConfigException(config.origin() + ": " + where + ".name is required");
            }
            List<String> argv = new ArrayList<>();
            JsonNode restart = entry.path("restart");
            if (!restart.isMissingNode()) {
                if (!restart.isArray() || restart.isEmpty()) {
                    throw new ConfigException(config.origin() + ": " + where + ".restart must be a non-empty list "
                            + "(program and arguments, no shell)");
                }
                restart.forEach(arg -> argv.add(arg.asText()));
            }
            String rawTimeout = entry.path("restartTimeout").asText(DEFAULT_TIMEOUT);
            Duration timeout = Setting.duration(where + ".restartTimeout", null, DEFAULT_TIMEOUT,
                    "restart time limit").parse(rawTimeout, config.origin());
            services.put(name, new ServiceSpec(name, argv, timeout));
        }
        return new ServiceCatalog(services);
    }

    public Optional<ServiceSpec> find(String name) {
        return Optional.ofNullable(services.get(name));
    }

    public List<String> names() {
        return List.copyOf(services.keySet());
    }
}
