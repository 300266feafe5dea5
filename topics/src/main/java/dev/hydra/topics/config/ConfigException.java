package dev.hydra.topics.config;

/** Bad configuration: Hydra refuses to start, and the message names the setting and what is allowed. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
