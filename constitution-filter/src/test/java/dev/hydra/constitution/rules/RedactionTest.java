package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.ToolCall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** redact() replaces every secret by [REDACTED:kind] and leaves the rest alone. */
class RedactionTest {
    private static Constitution constitution;

    @BeforeAll
    static void load() {
        constitution = Constitution.load(Cases.CONSTITUTION);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789 end             | openai_api_key
            key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789 end        | anthropic_api_key
            id AKIAQWERTYUIOPASDFGH end                                      | aws_access_key
            t ghp_abcdefghijklmnopqrstuvwxyz0123456789 end                   | github_token
            t github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz end  | github_token
            s xoxb-1234567890-abcdefghijkl end                               | slack_token
            g AIzaSyA-abcdefghijklmnopqrstuvwxyz01234 end                    | google_api_key
            j eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end | jwt
            db postgres://hydra:Sup3rS3cret@db:5432/hydra end                | connection_string_password
            password=hunter2hunter2                                          | password
            api_key: abcd1234efgh5678                                        | api_key
            AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzz0a1b2c3    | secret
            """)
    void redactsEachKindOfSecret(String text, String kind) {
        String redacted = constitution.redact(text.strip());
        assertThat(redacted).contains("[REDACTED:" + kind.strip() + "]");
        assertThat(redacted).doesNotContain("abcdefghijklmnopqrstuvwxyz0123456789").doesNotContain("hunter2hunter2")
                .doesNotContain("Sup3rS3cret").doesNotContain("QWERTYUIOPASDFGH").doesNotContain("wJalrXUtnFEMI");
    }

    @Test
    void redactsAPrivateKeyBlock() {
        String pem = "before\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\nafter";
        assertThat(constitution.redact(pem)).isEqualTo("before\n[REDACTED:private_key]\nafter");
    }

    @Test
    void keepsTheKeyOfAnAssignmentAndTheRestOfTheText() {
        assertThat(constitution.redact("user=admin password=hunter2hunter2 port=5432"))
                .isEqualTo("user=admin password=[REDACTED:password] port=5432");
    }

    @Test
    void leavesPlaceholdersAndOrdinaryTextAlone() {
        String text = "OPENAI_API_KEY=${OPENAI_API_KEY} password: <your password> task-management-service AKIAIOSFODNN7EXAMPLE";
        assertThat(constitution.redact(text)).isEqualTo(text);
    }

    @Test
    void redactsSecretsHiddenBehindEscapes() {
        assertThat(constitution.redact("key sk\\u002dproj-abcdefghijklmnopqrstuvwxyz0123456789"))
                .isEqualTo("key [REDACTED:openai_api_key]");
    }

    @Test
    void redactsToolCallArgumentsDeeply() {
        ToolCall call = new ToolCall("c1", "t1", Crew.DEVELOPMENT, "coder", "n8n", "trigger_webhook",
                Map.of("webhook", "notify", "data", Map.of("lines", List.of("ok", "token ghp_abcdefghijklmnopqrstuvwxyz0123456789"))),
                List.of(), null);
        ToolCall redacted = constitution.redact(call);
        assertThat(redacted.arguments().toString()).contains("[REDACTED:github_token]").doesNotContain("ghp_");
        assertThat(redacted.id()).isEqualTo("c1");
        assertThat(constitution.check(call).decision()).isEqualTo(dev.hydra.topics.events.Decision.DENY);
        assertThat(constitution.check(redacted).decision()).isEqualTo(dev.hydra.topics.events.Decision.ALLOW);
    }
}
