package dev.hydra.router.rules;

/** Where an approved task was read from, so a dead letter can name it for replay. */
public record Origin(String topic, int partition, long offset) {
    public static final Origin UNKNOWN = new Origin("unknown", -1, -1);
}
