package dev.hydra.topics.events;

/**
 * How a tool call ended, as the agent sees it: run ({@code OK}, {@code ERROR}), denied by the
 * constitution ({@code DENIED}), or refused by the executor because the call's verdict signature did
 * not verify ({@code REFUSED}: never run).
 */
public enum ToolStatus {
    OK, ERROR, DENIED, REFUSED;

    /** Whether the executor ran the call (as opposed to a refusal by the filter or the executor). */
    public boolean executed() {
        return this == OK || this == ERROR;
    }
}
