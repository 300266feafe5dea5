package dev.hydra.topics.signing;

/**
 * Why a crew or the tool executor refused a record: its {@code hydra-signature} is missing, not by a
 * trusted key, or not over this content. It names the refusal in the record's dead letter.
 */
public final class UnverifiedRecordException extends RuntimeException {
    public UnverifiedRecordException(String reason) {
        super(reason);
    }
}
