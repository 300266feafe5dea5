package dev.hydra.crew.sandbox;

import dev.hydra.crew.CommandRunner;
import dev.hydra.topics.config.SandboxSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the commands an agent asks for run (shell calls, tests, builds, scripts, git in the
 * workspace): with {@link SandboxSettings#WORKSPACE_ROOT} as the working directory, the host's
 * workspace directory seen at that path, the limits of {@link SandboxLimits}, and nothing of Hydra's
 * own files in view.
 */
public interface Sandbox {

    /**
     * Runs {@code argv} in the workspace. Call only when {@link #unavailable()} is empty.
     *
     * @throws InterruptedException if the caller is interrupted; the command's whole process tree is killed first
     */
    CommandRunner.Run run(List<String> argv) throws InterruptedException;

    /** Why commands are refused (with how to fix it), or empty when they run. */
    Optional<String> unavailable();

    /**
     * Hands a file or directory the executor made in the workspace over to the user commands run as,
     * so that code inside the sandbox can change it.
     */
    void adopt(Path hostPath) throws IOException;

    /** One line for the log: how commands are contained. */
    String description();

    /**
     * The sandbox of {@code mode}: bubblewrap, probed once now (when it is missing or unusable every
     * command is refused, saying how to install it), or none, which runs commands unconfined and says so
     * loudly.
     *
     * @param workspace  the host directory seen at /workspace
     * @param privateDir a directory of the executor's own, for the few files the sandbox's /etc shows
     */
    static Sandbox open(SandboxSettings.Mode mode, Path workspace, Path privateDir, SandboxLimits limits) {
        Logger log = LoggerFactory.getLogger(Sandbox.class);
        Sandbox sandbox = switch (mode) {
            case BUBBLEWRAP -> Bubblewrap.probed(workspace, privateDir, limits);
            case NONE -> new Unconfined(workspace, limits);
        };
        if (mode == SandboxSettings.Mode.NONE) {
            log.warn("SANDBOX OFF (crews.sandbox: none): agents' shell commands run on this host unconfined, "
                    + "with its network and every file the executor can read; the constitution makes each one "
                    + "need a person's approval");
        } else if (sandbox.unavailable().isPresent()) {
            log.error("shell tools refused: {}", sandbox.unavailable().get());
        } else {
            log.info("agents' commands run in {}", sandbox.description());
        }
        return sandbox;
    }
}
