package dev.hydra.router;

/** Why the router gave up on a task; its message becomes the dead letter's error header. */
final class TaskAbandonedException extends RuntimeException {
    TaskAbandonedException(String reason) {
        super(reason, null, false, false);
    }
}
