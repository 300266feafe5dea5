package dev.hydra.topics.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the state assessor saw in one assessment. */
public record StateSnapshot(String id, Instant at, List<ServiceHealth> services, Map<String, Double> metrics,
                            List<String> incompleteFeatures, List<String> knowledgeGaps, String summary) {
    public StateSnapshot {
        id = Fields.orId(id);
        at = at == null ? Instant.now() : at;
        services = services == null ? List.of() : List.copyOf(services);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        incompleteFeatures = Fields.list(incompleteFeatures, "incompleteFeatures");
        knowledgeGaps = Fields.list(knowledgeGaps, "knowledgeGaps");
        summary = summary == null ? "" : summary;
    }

    public List<String> failedServices() {
        return services.stream().filter(s -> !s.healthy()).map(ServiceHealth::name).toList();
    }
}
