package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading config/constitution.yaml, and refusing malformed constitutions with a precise message. */
class ConstitutionFileTest {

    private static final String MINIMAL = """
            immutable_constraints:
              - constraint: never_delete_databases
                detection:
                  - pattern: "DROP DATABASE"
            """;

    @Test
    void loadsTheRealConstitutionWithAllEightConstraints() throws Exception {
        Constitution c = Constitution.load(Cases.CONSTITUTION);
        assertThat(c.constraints()).containsExactly("never_delete_databases", "never_modify_network",
                "never_disable_auth", "never_expose_secrets", "never_modify_constitution", "always_audit_trail",
                "always_sandbox_code", "human_approval_git_push");
        assertThat(c.approvers()).containsExactlyInAnyOrder("admin", "shaun");
        assertThat(c.approvalTimeout()).isEqualTo(Duration.ofHours(24));
        assertThat(c.enforcement("always_audit_trail")).containsEntry("retention", "365 days");
        byte[] bytes = Files.readAllBytes(Cases.CONSTITUTION);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertThat(c.sha256()).isEqualTo(expected);
    }

    @Test
    void stampsADifferentHashWhenTheTextChanges() {
        Constitution a = Constitution.parse(MINIMAL, "a.yaml");
        Constitution b = Constitution.parse(MINIMAL + "# a comment\n", "b.yaml");
        assertThat(a.sha256()).hasSize(64).isNotEqualTo(b.sha256());
        assertThat(a.approvalTimeout()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void readsApprovalTimeout() {
        assertThat(Constitution.parse("approval_timeout: 30m\n" + MINIMAL, "x").approvalTimeout())
                .isEqualTo(Duration.ofMinutes(30));
        assertThat(Constitution.parse("approval_timeout: P2D\n" + MINIMAL, "x").approvalTimeout())
                .isEqualTo(Duration.ofDays(2));
    }

    /** Each row: the broken YAML (\n as newlines), the line, the field, a fragment of the allowed values. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            imutable_constraints: []                                                                          | 1 | imutable_constraints                           | immutable_constraints, supervised_operations
            immutable_constraints:\\n  - constraint: x\\n    detection:\\n      - comand: iptables                | 4 | immutable_constraints[0].detection[0].comand   | pattern, tool, file_write, command
            immutable_constraints:\\n  - constraint: x\\n    action: block\\n    detection: []                    | 3 | immutable_constraints[0].action                | deny, queue_for_approval
            immutable_constraints:\\n  - constraint: x\\n    detection:\\n      - pattern: "DROP ("              | 4 | immutable_constraints[0].detection[0].pattern  | a Java regular expression
            immutable_constraints:\\n  - constraint: x\\n    detection:\\n      - tool: execute_sql                | 4 | immutable_constraints[0].detection[0].tool     | server.tool
            immutable_constraints:\\n  - constraint: x\\n    detection:\\n      - command: ufw\\n        with: x    | 5 | immutable_constraints[0].detection[0].with     | containing
            immutable_constraints:\\n  - constraint: x\\n    detection:\\n      - git_commit: always              | 4 | immutable_constraints[0].detection[0].git_commit | containing_secrets
            immutable_constraints:\\n  - constraint: x\\n    detection:\\n      - pattern: x\\n        in: logs     | 5 | immutable_constraints[0].detection[0].in       | sql, published
            immutable_constraints:\\n  - description: no name\\n    detection: []                               | 2 | immutable_constraints[0]                       | constraint, description, action
            immutable_constraints:\\n  - constraint: x\\n    enforcement:\\n      - log_everything: true         | 4 | immutable_constraints[0].enforcement[0].log_everything | log_all_actions, database, retention
            immutable_constraints: []\\nsupervised_operations:\\n  - operation: service_restart\\n    services: [a] | 3 | supervised_operations[0].operation             | container_remove, database_migration
            immutable_constraints: []\\nsupervised_operations:\\n  - operation: service_stop                      | 3 | supervised_operations[0]                       | services
            immutable_constraints: []\\napproval_timeout: soon                                                  | 2 | approval_timeout                               | 24h
            immutable_constraints: []\\napprovers: admin                                                        | 2 | approvers                                      | a list of approver names
            immutable_constraints:\\n  - constraint: x\\n    detection:\\n      - file_write: .env\\n        to: github | 5 | immutable_constraints[0].detection[0].to  | public_location
            immutable_constraints: {a: 1}                                                                     | 1 | immutable_constraints                          | a list of constraints
            """)
    void refusesAMalformedConstitutionNamingFileLineFieldAndAllowedValues(String yaml, int line, String field,
                                                                         String allowed) {
        String text = yaml.strip().replace("\\n", "\n") + "\n";
        assertThatThrownBy(() -> Constitution.parse(text, "config/constitution.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config/constitution.yaml:" + line + ":")
                .hasMessageContaining(": " + field.strip() + ": ")
                .hasMessageContaining("allowed: ")
                .hasMessageContaining(allowed.strip());
    }

    @Test
    void refusesTextThatIsNotYamlNamingTheLine() {
        assertThatThrownBy(() -> Constitution.parse("immutable_constraints:\n  - constraint: [x\n", "c.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("c.yaml:")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void refusesAMissingFileNamingIt() {
        assertThatThrownBy(() -> Constitution.load(java.nio.file.Path.of("/nonexistent/constitution.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/constitution.yaml");
    }

    @Test
    void theSeedTextItselfIsRefusedBecauseItIsNotValidYaml() {
        String seed = """
                immutable_constraints:
                  - constraint: "never_delete_databases"
                    detection:
                      - tool: "postgres-mcp.execute_sql" with DROP
                """;
        assertThatThrownBy(() -> Constitution.parse(seed, "seed.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("seed.yaml:4");
        assertThat(seed.getBytes(StandardCharsets.UTF_8)).isNotEmpty();
    }
}
