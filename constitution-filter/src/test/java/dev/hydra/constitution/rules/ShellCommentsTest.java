package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.ToolCall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A word that starts with {@code #} after a blank begins a comment to the end of the line, as in
 * bash: nothing in it runs, and the next line runs whatever the comment holds (a stray quote must not
 * swallow it). Where bash does not start a comment ({@code a\r#b}, {@code a\ #b}, {@code a#b}), the
 * words are read on.
 */
class ShellCommentsTest {
    private static Constitution constitution;

    @BeforeAll
    static void load() {
        constitution = Constitution.load(Cases.CONSTITUTION);
    }

    @Test
    void readsTheLineAfterACommentWithAStrayQuote() {
        Ruling r = run("ls # it's done\nrm -rf /etc/passwd\n'");
        assertThat(r.decision()).isEqualTo(Decision.NEEDS_APPROVAL);
        assertThat(r.constraint()).isEqualTo("file_delete_outside_workspace");
    }

    @Test
    void readsTheLineAfterACommentWithAStrayDoubleQuote() {
        assertThat(run("ls # say \"hi\nufw disable\n\"").constraint()).isEqualTo("never_modify_network");
    }

    @Test
    void allowsCommentsThatOnlyMentionWhatTheyDoNot() {
        assertThat(run("ls -la # don't run iptables -F here").decision()).isEqualTo(Decision.ALLOW);
        assertThat(run("ls\t# $(iptables -F)").decision()).isEqualTo(Decision.ALLOW);
        assertThat(run("ip addr show # then add a route").decision()).isEqualTo(Decision.ALLOW);
        assertThat(run("grep -rn 'TODO' /workspace/src | head -50 # notes\n# more notes").decision())
                .isEqualTo(Decision.ALLOW);
    }

    @Test
    void readsOnWhereBashStartsNoComment() {
        assertThat(run("echo a\r#b $(iptables -F)").constraint()).isEqualTo("never_modify_network");
        assertThat(run("echo a \r#b $(iptables -F)").constraint()).isEqualTo("never_modify_network");
        assertThat(run("echo a\\ #b $(iptables -F)").constraint()).isEqualTo("never_modify_network");
        assertThat(run("echo a#b $(iptables -F)").constraint()).isEqualTo("never_modify_network");
        assertThat(run("echo '#' $(iptables -F)").constraint()).isEqualTo("never_modify_network");
    }

    @Test
    void endsACommentAtAnEncodedNewline() {
        // watched text is decoded before it is parsed: an escaped newline ends the comment too
        assertThat(run("ls # note%0aiptables -F").constraint()).isEqualTo("never_modify_network");
    }

    @Test
    void runsTheRestOfTheLineAfterAHeredocWhoseLineEndsInAComment() {
        assertThat(run("cat <<EOF > /tmp/x # note\nbody\nEOF\nufw disable").constraint())
                .isEqualTo("never_modify_network");
    }

    private static Ruling run(String command) {
        return constitution.check(new ToolCall("c", "t", Crew.DEVELOPMENT, "coder", "shell", "run",
                Map.of("command", command), List.of(), null));
    }
}
