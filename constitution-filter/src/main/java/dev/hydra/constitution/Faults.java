package dev.hydra.constitution;

/**
 * A seam for tests that prove exactly-once: called after a verdict is forwarded and before its audit
 * record is, so a test can fail the transaction in between. Production uses {@link #NONE}.
 */
@FunctionalInterface
interface Faults {
    Faults NONE = subjectId -> {
    };

    void afterVerdict(String subjectId);
}
