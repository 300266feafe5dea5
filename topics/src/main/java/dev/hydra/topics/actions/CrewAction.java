package dev.hydra.topics.actions;

import dev.hydra.topics.events.Crew;

/** One kind of work a crew can do: a task's {@code task.action}, who runs it, and what it asks for. */
public record CrewAction(Crew crew, String name, RunBy runBy, String description) {

    /** Who carries out an action in the crew worker. */
    public enum RunBy {
        /** Deterministic Java in the crew worker, no model. */
        EXECUTOR,
        /** The crew's agents (a model), which act only through judged tool calls. */
        AGENTS;

        /** The table's spelling. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
