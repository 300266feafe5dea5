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

    /** The MCP servers of the stack's configuration: with the built-ins, the servers a tool call may name. */
    List<McpServerConfig> mcpServers();
}
