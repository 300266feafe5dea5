package dev.hydra.topics;

/**
 * A value that is not a valid Hydra event: not JSON, not matching its schema, or rejected by the
 * record's constructor. Terminal: retrying the same bytes can never succeed, so the value goes to
 * the dead-letter topic.
 */
public class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
