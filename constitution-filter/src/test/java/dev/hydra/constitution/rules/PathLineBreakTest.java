package dev.hydra.constitution.rules;

import dev.hydra.constitution.rules.text.PathGlob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.ToolCall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A file name may hold a line break (also one decoded from %0a): globs must still cover the path. */
class PathLineBreakTest {
    private static Constitution constitution;

    @BeforeAll
    static void load() {
        constitution = Constitution.load(Cases.CONSTITUTION);
    }

    @Test
    void globsCoverPathsWithLineBreaks() {
        assertThat(new PathGlob("/var/www/**").matches("/var/www/html/a\nb.js")).isTrue();
        assertThat(new PathGlob("/etc/network/*").matches("/etc/network/if-up.d/a\nb")).isTrue();
        assertThat(new PathGlob("constitution.yaml").matches("/srv/a\nb/constitution.yaml")).isTrue();
        assertThat(new PathGlob("/etc/network/*").matches("/etc/networks\n")).isFalse();
    }

    @Test
    void deniesASecretWrittenToAPublicFileWhoseNameHoldsALineBreak() {
        for (String path : List.of("/var/www/html/a\nb.js", "/var/www/html/a%0ab.js")) {
            assertThat(write(path, "const key = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123';").decision())
                    .as(path).isEqualTo(Decision.DENY);
        }
    }

    @Test
    void needsApprovalForANetworkScriptWhoseNameHoldsALineBreak() {
        assertThat(write("/etc/network/if-up.d/a%0ab", "ip route add default via 10.0.0.1").constraint())
                .isEqualTo("never_modify_network");
    }

    private static Ruling write(String path, String content) {
        return constitution.check(new ToolCall("c", "t", Crew.DEVELOPMENT, "coder", "filesystem-mcp", "write_file",
                Map.of("path", path, "content", content), List.of(), null));
    }
}
