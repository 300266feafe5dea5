package dev.hydra.memory;

import dev.hydra.topics.events.StateSnapshot;
import java.util.List;

/**
 * How an assessment reads in the {@code hydra_state} block: the summary and the failed services,
 * without the assessment's time, so that an unchanged state does not rewrite the block.
 */
final class StateEntries {
    private StateEntries() {
    }

    static List<BlockContent.Entry> of(StateSnapshot snapshot) {
        List<String> failed = snapshot.failedServices();
        return List.of(
                new BlockContent.Entry("state", snapshot.summary().isBlank()
                        ? snapshot.services().size() + " services probed" : snapshot.summary()),
                new BlockContent.Entry("failed services", failed.isEmpty() ? "none" : String.join(", ", failed)),
                new BlockContent.Entry("backlog", snapshot.incompleteFeatures().size() + " incomplete features, "
                        + snapshot.knowledgeGaps().size() + " knowledge gaps"));
    }
}
