package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.config.SandboxSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.ToolCall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shell calls are autonomous only while they run in the sandbox (crews.sandbox: bubblewrap). */
class SandboxModeTest {
    private static final Constitution SANDBOXED = Constitution.load(Cases.CONSTITUTION);

    private static ToolCall shell(String command) {
        return new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder", "shell", "run", Map.of("command", command),
                List.of(), null);
    }

    @Test
    void allowsWorkspaceDevelopmentInTheSandbox() {
        assertThat(SANDBOXED.check(shell("python3 -m pytest -q")).decision()).isEqualTo(Decision.ALLOW);
    }

    @Test
    void parksEveryShellCallWhenTheSandboxIsOff() {
        Ruling ruling = SANDBOXED.withSandbox(SandboxSettings.Mode.NONE).check(shell("python3 -m pytest -q"));

        assertThat(ruling.decision()).isEqualTo(Decision.NEEDS_APPROVAL);
        assertThat(ruling.reason()).contains("the sandbox is off (crews.sandbox: none)");
    }

    @Test
    void keepsFileToolsAutonomousWhenTheSandboxIsOff() {
        ToolCall write = new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder", "filesystem-mcp", "write_file",
                Map.of("path", "/workspace/src/app.py", "content", "print('hi')"), List.of(), null);

        assertThat(SANDBOXED.withSandbox(SandboxSettings.Mode.NONE).check(write).decision()).isEqualTo(Decision.ALLOW);
    }
}
