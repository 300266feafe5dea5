package dev.hydra.topics.events;

/** The outcome of one health probe. */
public record ServiceHealth(String name, boolean healthy, String detail, long latencyMs) {
    public ServiceHealth {
        Fields.text(name, "name");
        detail = detail == null ? "" : detail;
    }
}
