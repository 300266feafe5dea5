package dev.hydra.topics.tools;

import java.util.List;

/**
 * How a built-in tool is offered to an agent: the name the model sees, what it is told the tool does,
 * and its arguments (all strings; {@code listArguments} are lists of strings). All are required.
 */
public record ToolOffer(String name, String description, List<String> arguments, List<String> listArguments) {
    public ToolOffer {
        arguments = List.copyOf(arguments);
        listArguments = List.copyOf(listArguments);
    }
}
