package dev.hydra.crew;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether a worker may claim a lane record's task, free of Kafka: the checks in the order the worker
 * makes them (the lane is the crew's, the constitution's signature verified, the attempt is not a
 * copy of one already claimed or finished, the node has what the task requires). The worker only
 * carries out the answer.
 */
final class ClaimRules {
    private ClaimRules() {
    }

    /** What to do with a task read from a lane. */
    sealed interface Decision {
        /** Claim and run it. */
        record Run() implements Decision {
        }

        /** Not a task of this lane: it goes to the dead-letter topic. */
        record Invalid(String reason) implements Decision {
        }

        /** The constitution did not release this record (or it changed since): refused, never run. */
        record Refuse(String reason) implements Decision {
        }

        /** A redelivery or an aging copy of an attempt already claimed or finished: acknowledged, not run. */
        record Copy(String reason) implements Decision {
        }

        /** This node cannot run it: handed back unclaimed (INTERRUPTED), so that the router retries it. */
        record HandBack(String reason) implements Decision {
        }
    }

    /** The attempt of a task that some member claimed or finished, as the status topic tells it. */
    record Seen(int attempt, String state, String node) {
    }

    /** How far a task's creation time may lie ahead of this worker's clock (clocks of two hosts differ). */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    /**
     * The checks a record passes on the poll thread, before its task is handed to a task thread.
     *
     * @param lookback how far back the worker reads the statuses that tell it a task already ran: a
     *                 signature does not expire, so a signed task created before that window (a finished
     *                 task's record put back on its lane) or after now (which no window would ever cover)
     *                 cannot be told from a copy of work that already ran, and is refused
     */
    static Decision onArrival(Task task, Crew laneCrew, Supplier<Optional<String>> signatureRefusal, Instant now,
                              Duration lookback) {
        if (task == null) {
            return new Decision.Invalid("empty value (tombstone) on a task lane");
        }
        if (task.crew() != laneCrew) {
            return new Decision.Invalid("task for crew " + task.crew() + " on a lane of crew " + laneCrew);
        }
        Optional<String> refusal = signatureRefusal.get();
        if (refusal.isPresent()) {
            return new Decision.Refuse(refusal.get());
        }
        if (task.createdAt().isBefore(now.minus(lookback))) {
            return new Decision.Refuse("created at " + task.createdAt() + ", older than crews.statusLookback (" + lookback
                    + "): whether it already ran cannot be told from " + "hydra.tasks.status; propose it again");
        }
        if (task.createdAt().isAfter(now.plus(CLOCK_SKEW))) {
            return new Decision.Refuse("created at " + task.createdAt() + ", in the future (now " + now
                    + "): no status lookback would ever tell whether it already ran");
        }
        return new Decision.Run();
    }

    /** The checks made on the task thread, just before the claim. */
    static Decision beforeClaim(Task task, int attempt, Optional<Seen> claimedOrFinished, String node,
                                List<String> capabilities) {
        if (claimedOrFinished.isPresent()) {
            Seen seen = claimedOrFinished.get();
            return new Decision.Copy("attempt " + attempt + " of " + task.id() + " skipped: attempt " + seen.attempt()
                    + " was already " + seen.state() + " by " + seen.node());
        }
        List<String> missing = task.requires().stream().filter(r -> !capabilities.contains(r)).toList();
        if (!missing.isEmpty()) {
            // Lanes are per crew, not per node: only the router can send the task to a node that has them.
            return new Decision.HandBack("node " + node + " lacks the required capabilities " + missing);
        }
        return new Decision.Run();
    }
}
