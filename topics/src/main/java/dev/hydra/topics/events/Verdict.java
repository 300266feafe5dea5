package dev.hydra.topics.events;

/**
 * The constitution's ruling on one task or tool call. {@code constraint} is empty for ALLOW.
 *
 * @param id the id of the task or tool call ruled on
 */
public record Verdict(String id, Decision verdict, String constraint, String reason, String constitutionSha256) {
    public Verdict {
        Fields.text(id, "id");
        Fields.present(verdict, "verdict");
        constraint = constraint == null ? "" : constraint;
        reason = reason == null ? "" : reason;
        Fields.text(constitutionSha256, "constitutionSha256");
    }
}
