package dev.hydra.topics.memory;

import dev.hydra.topics.events.Crew;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The seed's shared core-memory blocks and who may touch them: the orchestrator writes
 * {@code hydra_state} and every agent reads it; each crew reads and writes its own block.
 */
public enum CoreBlock {
    HYDRA_STATE("hydra_state", CoreBlock.ORCHESTRATOR),
    RESEARCH_FINDINGS("research_findings", Crew.RESEARCH.wireName()),
    DEVELOPMENT_STATUS("development_status", Crew.DEVELOPMENT.wireName()),
    INFRASTRUCTURE_HEALTH("infrastructure_health", Crew.INFRASTRUCTURE.wireName());

    /** The writer name of the orchestrator (in Hydra: the state assessor and the lead's console). */
    public static final String ORCHESTRATOR = "orchestrator";

    private final String blockName;
    private final String owner;

    CoreBlock(String blockName, String owner) {
        this.blockName = blockName;
        this.owner = owner;
    }

    public String blockName() {
        return blockName;
    }

    /** The one writer allowed to change the block. */
    public String owner() {
        return owner;
    }

    public boolean writableBy(String writer) {
        return owner.equals(writer);
    }

    /** {@code hydra_state} is read by every agent; a crew block by its crew and the orchestrator. */
    public boolean readableBy(String reader) {
        return this == HYDRA_STATE || owner.equals(reader) || ORCHESTRATOR.equals(reader);
    }

    public static Optional<CoreBlock> named(String name) {
        return Arrays.stream(values()).filter(b -> b.blockName.equals(name)).findFirst();
    }

    /** The block a crew writes its results into; the self-improvement agent has none. */
    public static Optional<CoreBlock> ownedBy(Crew crew) {
        return Arrays.stream(values()).filter(b -> b.owner.equals(crew.wireName())).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(CoreBlock::blockName).toList();
    }
}
