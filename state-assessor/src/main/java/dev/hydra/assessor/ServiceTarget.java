package dev.hydra.assessor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service to probe, from the shared {@code services:} list of hydra.yaml: {@code health} is an
 * http(s) URL (2xx = healthy), {@code tcp} is {@code HOST:PORT} (accepting a connection = healthy).
 * Entries with neither are other modules' business (for example restart-only) and are not probed.
 */
public record ServiceTarget(String name, Kind kind, String address) {
    public enum Kind { HTTP, TCP }

    private static final Logger log = LoggerFactory.getLogger(ServiceTarget.class);
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[^\\]]+\\]|[^:\\s]+):(\\d{1,5})");

    public ServiceTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(address, "address");
    }

    public static ServiceTarget http(String name, String url) {
        return new ServiceTarget(name, Kind.HTTP, url);
    }

    public static ServiceTarget tcp(String name, String hostPort) {
        return new ServiceTarget(name, Kind.TCP, hostPort);
    }

    public String host() {
        Matcher m = tcpMatch();
        String host = m.group(1);
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    public int port() {
        return Integer.parseInt(tcpMatch().group(2));
    }

    private Matcher tcpMatch() {
        Matcher m = HOST_PORT.matcher(address);
        if (kind != Kind.TCP || !m.matches()) {
            throw new IllegalStateException(name + ": not a HOST:PORT target: " + address);
        }
        return m;
    }

    /**
     * A target from one address string, as the Postgres service registry holds it: an http(s) URL,
     * or {@code tcp://HOST:PORT}. Empty when the address is neither (the service is not probed).
     */
    public static Optional<ServiceTarget> fromAddress(String name, String address) {
        if (name == null || name.isBlank() || address == null) {
            return Optional.empty();
        }
        String a = address.strip();
        if (a.regionMatches(true, 0, "tcp://", 0, 6) && validHostPort(a.substring(6))) {
            return Optional.of(tcp(name, a.substring(6)));
        }
        return validUrl(a) ? Optional.of(http(name, a)) : Optional.empty();
    }

    /** The probed entries of {@code services:}; a malformed entry stops startup with its index and name. */
    public static List<ServiceTarget> fromConfig(HydraConfig config) {
        JsonNode services = config.section(AssessorSettings.SERVICES_PATH);
        List<ServiceTarget> targets = new ArrayList<>();
        if (services.isMissingNode() || services.isNull()) {
            return targets;
        }
        if (!services.isArray()) {
            throw new ConfigException(config.origin() + ": services must be a list of {name, health | tcp}");
        }
        for (int i = 0; i < services.size(); i++) {
            JsonNode entry = services.get(i);
            String where = config.origin() + ": services[" + i + "]";
            String name = entry.path("name").asText("");
            if (name.isBlank()) {
                throw new ConfigException(where + ".name is required");
            }
            where += " (" + name + ")";
            String health = config.expand(entry.path("health").asText(""));
            String tcp = config.expand(entry.path("tcp").asText(""));
            if (!health.isBlank()) {
                targets.add(http(name, checkUrl(where, health)));
            } else if (!tcp.isBlank()) {
                if (!validHostPort(tcp)) {
                    throw new ConfigException(where + ".tcp must be HOST:PORT, was '" + tcp + "'");
                }
                targets.add(tcp(name, tcp));
            } else {
                log.info("{} has neither health nor tcp: not probed", where);
            }
        }
        return targets;
    }

    private static String checkUrl(String where, String url) {
        if (!validUrl(url)) {
            throw new ConfigException(where + ".health must be an http(s) URL, was '" + url + "'");
        }
        return url;
    }

    private static boolean validHostPort(String hostPort) {
        Matcher m = HOST_PORT.matcher(hostPort);
        return m.matches() && Integer.parseInt(m.group(2)) <= 65_535;
    }

    private static boolean validUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
