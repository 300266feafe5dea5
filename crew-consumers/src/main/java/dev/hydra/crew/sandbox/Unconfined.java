package dev.hydra.crew.sandbox;

import dev.hydra.crew.CommandRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code crews.sandbox: none}: commands run on the host in the workspace directory, with only a
 * clean environment, the time limit and the output cap between them and the machine. Chosen only
 * explicitly; the constitution then makes every shell call need a person's approval.
 */
final class Unconfined implements Sandbox {
    private final Path workspace;
    private final SandboxLimits limits;

    Unconfined(Path workspace, SandboxLimits limits) {
        this.workspace = workspace;
        this.limits = limits;
    }

    @Override
    public CommandRunner.Run run(List<String> argv) throws InterruptedException {
        Map<String, String> environment = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", workspace.toString(),
                "LANG", "C.UTF-8", "GIT_TERMINAL_PROMPT", "0");
        return CommandRunner.run(argv, workspace, limits.timeout(), environment, false, limits.outputBytes());
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.empty();
    }

    @Override
    public void adopt(Path hostPath) {
        // commands run as the executor's own user
    }

    @Override
    public String description() {
        return "no sandbox (crews.sandbox: none)";
    }
}
