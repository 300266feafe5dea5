package dev.hydra.assessor.rules;

import dev.hydra.topics.events.Task;
import java.util.Objects;

/** A task a rule proposes, with the rule that proposed it. */
public record Gap(Rule rule, Task task) {
    public Gap {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(task, "task");
    }
}
