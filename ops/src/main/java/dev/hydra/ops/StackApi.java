package dev.hydra.ops;

import dev.hydra.topics.Service;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.tools.McpServerConfig;
import java.util.List;

/** What the HTTP console asks of the running stack. */
interface StackApi {
    List<Service> services();

    List<TopicBootstrap.TopicState> topicStates() throws Exception;

    /** Client properties for the stack's cluster. */
    java.util.Properties clientProps();

    /** Produces a task to hydra.tasks.proposed and waits for the broker's acknowledgement. */
    void submit(Task task) throws Exception;

    /** The constitution's approvers: the logins whose decisions are sent. */
    java.util.Set<String> approvers();

    /** The people who may log in ({@link Logins}). */
    java.nio.file.Path loginsFile();

    /** The MCP servers of the stack's configuration: with the built-ins, the servers a tool call may name. */
    List<McpServerConfig> mcpServers();

    /**
     * The operator's key: a person's tool call (console, API) is signed with it, so the constitution
     * judges it as the crew it names; read when the first call is made.
     */
    dev.hydra.topics.signing.WriterSigner operatorSigner();

    /** The stack's pause switch ({@code hydra pause}), when this process follows one. */
    default java.util.Optional<dev.hydra.topics.PauseSwitch> pauseSwitch() {
        return java.util.Optional.empty();
    }

    /** Flips the pause switch in the name of {@code by} and waits for the broker's acknowledgement. */
    default dev.hydra.topics.events.ControlSwitch setPaused(boolean paused, String by, String reason) {
        throw new UnsupportedOperationException("this process follows no pause switch; use hydra pause");
    }
}
