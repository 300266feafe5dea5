package dev.hydra.assessor;

import dev.hydra.topics.Json;
import dev.hydra.topics.events.CdcEvent;
import dev.hydra.topics.memory.ResearchFindings;
import dev.hydra.topics.memory.Technology;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The assessor's view of the slow-moving sources: the features, knowledge_gaps and services tables
 * rebuilt from their change events, and the technologies named in the research crew's findings block.
 * Written by the feed thread, read by assessments, hence synchronized. Each {@code apply} says
 * whether what the rules see changed, so an unrelated column update triggers no assessment.
 */
final class Backlog {
    /** How rows of the two tables are read; the column names are configuration. */
    record Columns(String featureName, String featureStatus, Set<String> doneStatuses, String gapTopic,
                   String gapResolved, String serviceName, String serviceHealth) {
    }

    private final Columns columns;
    private final Map<String, String> incompleteFeatures = new HashMap<>();
    private final Map<String, String> openGaps = new HashMap<>();
    private final Map<String, ServiceTarget> registeredServices = new HashMap<>();
    private List<Technology> technologies = List.of();

    Backlog(Columns columns) {
        this.columns = columns;
    }

    /** Applies one row change of the features table; true when the incomplete features changed. */
    synchronized boolean applyFeature(String recordKey, CdcEvent event) {
        String name = event.isDelete() ? null : text(event.row().get(columns.featureName()));
        Object status = event.row().get(columns.featureStatus());
        boolean incomplete = name != null
                && (status == null || !columns.doneStatuses().contains(status.toString().toLowerCase(Locale.ROOT)));
        return put(incompleteFeatures, rowKey(recordKey, event), incomplete ? name : null);
    }

    /** Applies one row change of the knowledge_gaps table; true when the open gaps changed. */
    synchronized boolean applyKnowledgeGap(String recordKey, CdcEvent event) {
        String topic = event.isDelete() ? null : text(event.row().get(columns.gapTopic()));
        boolean open = topic != null && !truthy(event.row().get(columns.gapResolved()));
        return put(openGaps, rowKey(recordKey, event), open ? topic : null);
    }

    /** Applies one row change of the services registry; true when the probed services changed. */
    synchronized boolean applyService(String recordKey, CdcEvent event) {
        String key = rowKey(recordKey, event);
        ServiceTarget target = event.isDelete() ? null : ServiceTarget.fromAddress(
                text(event.row().get(columns.serviceName())), text(event.row().get(columns.serviceHealth())))
                .orElse(null);
        ServiceTarget previous = target == null ? registeredServices.remove(key) : registeredServices.put(key, target);
        return !Objects.equals(previous, target);
    }

    /** Replaces the technologies with those named in the block's content; true when they changed. */
    synchronized boolean applyResearchFindings(String content) {
        List<Technology> next = ResearchFindings.technologiesToEvaluate(content);
        boolean changed = !next.equals(technologies);
        technologies = next;
        return changed;
    }

    synchronized List<String> incompleteFeatures() {
        return distinctSorted(incompleteFeatures);
    }

    synchronized List<String> knowledgeGaps() {
        return distinctSorted(openGaps);
    }

    /** Services registered in Postgres that have a probe address, by name. */
    synchronized List<ServiceTarget> registeredServices() {
        return registeredServices.values().stream().sorted(java.util.Comparator.comparing(ServiceTarget::name))
                .toList();
    }

    synchronized List<Technology> technologies() {
        return technologies;
    }

    private static boolean put(Map<String, String> view, String key, String value) {
        String previous = value == null ? view.remove(key) : view.put(key, value);
        return !Objects.equals(previous, value);
    }

    /** The row's identity: its primary key (canonical JSON), or the record key when the event has none. */
    private static String rowKey(String recordKey, CdcEvent event) {
        return event.key().isEmpty() ? String.valueOf(recordKey) : Json.write(new TreeMap<>(event.key()));
    }

    private static String text(Object value) {
        return value == null || value.toString().isBlank() ? null : value.toString().strip();
    }

    private static boolean truthy(Object value) {
        return value instanceof Boolean b ? b
                : value instanceof Number n ? n.intValue() != 0
                : value != null && Set.of("true", "t", "yes", "y", "1").contains(value.toString().toLowerCase(Locale.ROOT));
    }

    private static List<String> distinctSorted(Map<String, String> view) {
        return view.values().stream().distinct().sorted().toList();
    }
}
