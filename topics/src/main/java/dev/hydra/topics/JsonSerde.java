package dev.hydra.topics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one JSON serde of Hydra. Reading checks the value against the event's JSON Schema (the file
 * outside producers code against, under {@code schemas/}) and then the record's own constructor,
 * so an invalid value fails with a message that names the field instead of half-parsing.
 */
public final class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final Class<T> type;
    private final String eventType;
    private final JsonSchema schema;

    private JsonSerde(Class<T> type, String eventType) {
        this.type = Objects.requireNonNull(type, "type");
        this.eventType = Objects.requireNonNull(eventType, "eventType");
        this.schema = loadSchema(eventType);
    }

    /** A serde for {@code type} validated by {@code schemas/<eventType>.schema.json}. */
    public static <T> JsonSerde<T> of(Class<T> type, String eventType) {
        return new JsonSerde<>(type, eventType);
    }

    private static JsonSchema loadSchema(String eventType) {
        String path = "schemas/" + eventType + ".schema.json";
        try (InputStream in = JsonSerde.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing JSON Schema resource " + path);
            }
            return SCHEMAS.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Class<T> type() {
        return type;
    }

    /** The name carried in the {@code hydra-type} header and used for the schema file. */
    public String eventType() {
        return eventType;
    }

    public JsonSchema schema() {
        return schema;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : Json.bytes(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw new InvalidEventException(eventType + ": not JSON: " + firstLine(e.getMessage()), e);
        }
        return fromTree(node);
    }

    /** Validates a parsed value against the schema and builds the record. */
    public T fromTree(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            throw new InvalidEventException(eventType + ": empty value");
        }
        Set<ValidationMessage> errors = schema.validate(node);
        if (!errors.isEmpty()) {
            throw new InvalidEventException(eventType + " violates its schema: " + errors.stream()
                    .map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("; ")));
        }
        try {
            return Json.MAPPER.treeToValue(node, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new InvalidEventException(eventType + ": " + cause.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(eventType + ": " + firstLine(e.getOriginalMessage()), e);
        }
    }

    public T fromJson(String json) {
        return fromTree(Json.parse(json));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // configured in code, by the catalog
    }

    @Override
    public void close() {
        // nothing to release
    }
}
