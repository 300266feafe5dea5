package dev.hydra.constitution;

import dev.hydra.topics.events.ApprovalRequest;

/**
 * Tells people that a request waits for them. Called on the stream thread, so an implementation
 * must return at once and must never throw: a notification is a courtesy, the compacted
 * hydra.approvals.requests topic is the queue.
 */
public interface ApprovalNotifier extends AutoCloseable {
    ApprovalNotifier NONE = request -> {
    };

    void requested(ApprovalRequest request);

    @Override
    default void close() {
    }
}
