package dev.hydra.crew.tools;

/** A tool call that could not be done, with a message written for the agent (ToolStatus ERROR). */
public final class ToolFailure extends Exception {
    public ToolFailure(String message) {
        super(message);
    }
}
