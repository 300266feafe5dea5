package dev.hydra.crew.tools;

import dev.hydra.topics.tools.ToolKind;
import dev.hydra.topics.tools.ToolOffer;
import dev.hydra.topics.tools.ToolVocabulary;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tools agents may ask for, by the name the model sees, and the server and tool each becomes
 * in a {@code ToolCall}: the offered tools of the contract's {@link ToolVocabulary}, which the
 * constitution judges by, so the two cannot drift apart.
 */
public final class ToolCatalog {

    /** One tool: its model-facing name, where it runs, its arguments, and which arguments name resources. */
    public record ToolDef(String name, String server, String tool, String description, List<String> arguments,
                          List<String> listArguments) {

        public ToolSpecification specification() {
            JsonObjectSchema.Builder parameters = JsonObjectSchema.builder();
            for (String argument : arguments) {
                parameters.addStringProperty(argument);
            }
            for (String argument : listArguments) {
                parameters.addProperty(argument, JsonArraySchema.builder().items(new JsonStringSchema()).build());
            }
            List<String> required = new ArrayList<>(arguments);
            required.addAll(listArguments);
            return ToolSpecification.builder().name(name).description(description)
                    .parameters(parameters.required(required).build()).build();
        }

        public String qualified() {
            return server + "." + tool;
        }
    }

    public static final String FILESYSTEM = ToolVocabulary.FILESYSTEM;
    public static final String SHELL = ToolVocabulary.SHELL;
    public static final String GIT = ToolVocabulary.GIT;

    /** The offered tools of the contract's vocabulary, by the name the model sees. */
    private static final Map<String, ToolDef> TOOLS = new LinkedHashMap<>();

    static {
        for (ToolKind kind : ToolVocabulary.standard().offered()) {
            ToolOffer offer = kind.offer().orElseThrow();
            TOOLS.put(offer.name(), new ToolDef(offer.name(), kind.server(), kind.tool(), offer.description(),
                    offer.arguments(), offer.listArguments()));
        }
    }

    private ToolCatalog() {
    }

    public static Optional<ToolDef> find(String name) {
        return Optional.ofNullable(TOOLS.get(name));
    }

    /** The names models see, in the vocabulary's order. */
    public static List<String> names() {
        return List.copyOf(TOOLS.keySet());
    }

    public static ToolDef get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no tool named " + name));
    }

    /**
     * The resources a call touches, in DESIGN.md's notation, read through the vocabulary's roles; a tool
     * the vocabulary does not know touches none that can be named.
     */
    public static List<String> resources(String server, String tool, Map<String, Object> arguments) {
        return ToolVocabulary.standard().find(server, tool).map(kind -> kind.resources(arguments)).orElse(List.of());
    }
}
