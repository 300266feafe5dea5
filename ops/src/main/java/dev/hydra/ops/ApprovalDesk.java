package dev.hydra.ops;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.TopicReader;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.ApprovalDecision;
import dev.hydra.topics.events.ApprovalRequest;
import dev.hydra.topics.events.ApprovalStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * What a person does with approval requests: list them and decide. A decision names the content
 * hash of the exact request it answers, so it cannot approve anything else.
 */
final class ApprovalDesk {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Properties clientProps;

    ApprovalDesk(Properties clientProps) {
        this.clientProps = clientProps;
    }

    /** The latest state of every request (the compacted topic's view), oldest first. */
    List<ApprovalRequest> all() {
        Map<String, ApprovalRequest> latest = new LinkedHashMap<>();
        for (ApprovalRequest request : TopicReader.values(clientProps, Topics.APPROVAL_REQUESTS, READ_TIMEOUT)) {
            latest.remove(request.id());
            latest.put(request.id(), request);
        }
        return new ArrayList<>(latest.values());
    }

    List<ApprovalRequest> pending() {
        return all().stream().filter(r -> r.status() == ApprovalStatus.PENDING).toList();
    }

    Optional<ApprovalRequest> find(String id) {
        return all().stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** Publishes a decision on a pending request; the constitution filter checks and applies it. */
    ApprovalDecision decide(String id, boolean approve, String by, String reason) throws Exception {
        ApprovalRequest request = find(id).orElseThrow(() ->
                new java.util.NoSuchElementException("no approval request with id " + id));
        if (request.status() != ApprovalStatus.PENDING) {
            throw new IllegalArgumentException("approval request " + id + " is already " + request.status());
        }
        ApprovalDecision decision = new ApprovalDecision(id, request.contentSha256(), approve, by, reason, null);
        try (EventProducer producer = new EventProducer(clientProps, "hydra-approvals")) {
            producer.send(Topics.APPROVAL_DECISIONS, id, decision, request.subjectId()).get(30, TimeUnit.SECONDS);
        }
        return decision;
    }
}
