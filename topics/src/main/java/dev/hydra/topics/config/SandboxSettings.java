package dev.hydra.topics.config;

/**
 * Where an agent's code runs, declared once because two services read it: the tool executor runs
 * shell commands in the sandbox, and the constitution judges them by whether it is there.
 */
public final class SandboxSettings {

    /** How commands an agent asks for are contained. */
    public enum Mode { BUBBLEWRAP, NONE }

    /**
     * The workspace as agents and the constitution name it. The sandbox mounts the host's workspace
     * directory ({@code crews.workspace}) at this path and the file tools map it there, so the path
     * the constitution judges is the path the tools use.
     */
    public static final String WORKSPACE_ROOT = "/workspace";

    public static final Setting<Mode> SANDBOX = Setting.oneOf("crews.sandbox", "HYDRA_CREW_SANDBOX",
            Mode.BUBBLEWRAP, Mode.class, "how agents' shell commands are contained: bubblewrap (no network, only "
                    + "the workspace writable) or none (every shell call then needs a person's approval)");

    private SandboxSettings() {
    }
}
