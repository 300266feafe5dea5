package dev.hydra.topics.events;

/** Where an approval request stands. */
public enum ApprovalStatus {
    PENDING, APPROVED, REJECTED, EXPIRED
}
