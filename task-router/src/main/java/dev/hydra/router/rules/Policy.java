package dev.hydra.router.rules;

import java.time.Duration;
import java.util.Objects;

/** The timing of the router's rules; built from the {@code router:} settings. */
public record Policy(Duration promoteAfter, Duration nodeTimeout, Duration heartbeatTimeout, Duration taskTimeout,
                     RetryPolicy retry) {
    public Policy {
        Objects.requireNonNull(promoteAfter, "promoteAfter");
        Objects.requireNonNull(nodeTimeout, "nodeTimeout");
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        Objects.requireNonNull(taskTimeout, "taskTimeout");
        Objects.requireNonNull(retry, "retry");
    }
}
