package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The objects of a file or of standard input ('-') for the commands that send events: one object, JSON
 * lines or concatenated objects, each parsed before any is sent, an error naming the one that failed.
 */
final class JsonInput {
    private JsonInput() {
    }

    /** @param what the name of one object in errors ("task", "tool call") */
    static <T> List<T> read(String file, String what, Function<JsonNode, T> parse) throws IOException {
        String text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        List<T> items = new ArrayList<>();
        try (MappingIterator<JsonNode> values = Json.MAPPER.readerFor(JsonNode.class).readValues(text)) {
            int n = 0;
            while (values.hasNextValue()) {
                n++;
                JsonNode node = values.nextValue();
                try {
                    items.add(parse.apply(node));
                } catch (InvalidEventException e) {
                    throw new InvalidEventException(what + " #" + n + ": " + e.getMessage(), e);
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidEventException(file + " is not JSON: " + e.getOriginalMessage(), e);
        }
        if (items.isEmpty()) {
            throw new InvalidEventException(file + " holds no " + what);
        }
        return items;
    }
}
