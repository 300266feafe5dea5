package dev.hydra.router.rules;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How an approved task arrived: where it was read from, so a dead letter can name it for replay,
 * and the constitution's signature it carried ({@code hydra-signature}, null when it had none),
 * which every lane record of the task carries on: crews run nothing without it. The signature does
 * not cover the priority, so promoting the task keeps it valid.
 */
public record Origin(String topic, int partition, long offset,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String signature) {
    public static final Origin UNKNOWN = new Origin("unknown", -1, -1);

    public Origin(String topic, int partition, long offset) {
        this(topic, partition, offset, null);
    }

    public Origin signedWith(String newSignature) {
        return new Origin(topic, partition, offset, newSignature);
    }
}
