package dev.hydra.assessor.rules;

/** The seed orchestrator's gap and opportunity rules, by the name metrics and logs use. */
public enum Rule {
    FAILED_SERVICE("failed_service"),
    INCOMPLETE_FEATURE("incomplete_feature"),
    KNOWLEDGE_GAP("knowledge_gap"),
    SLOW_INFERENCE("slow_inference"),
    TECHNOLOGY_TO_EVALUATE("technology_to_evaluate"),
    ITERATION_REGRESSION("iteration_regression");

    private final String wireName;

    Rule(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
