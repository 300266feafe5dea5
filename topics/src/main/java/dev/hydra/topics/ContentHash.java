package dev.hydra.topics;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The hashes an approval and the audit chain bind to. An item's content hash is the SHA-256 (hex) of
 * its canonical JSON: the event's JSON with object keys sorted at every level and no whitespace, so
 * anyone holding the approval request's {@code subject} can recompute it.
 */
public final class ContentHash {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    /** Sorting map keys recursively is what makes the JSON canonical. */
    private static final ObjectMapper CANONICAL = Json.MAPPER.copy()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private ContentHash() {
    }

    /** An event as the JSON object it travels as (the approval request's {@code subject}). */
    public static Map<String, Object> asMap(Object event) {
        return Json.MAPPER.convertValue(event, MAP);
    }

    /** SHA-256 of the canonical JSON of {@code subject}. */
    public static String of(Map<String, Object> subject) {
        return sha256Hex(canonicalJson(subject));
    }

    public static String canonicalJson(Map<String, Object> subject) {
        try {
            // Through a plain map so that nested objects are maps too, which the mapper sorts.
            return CANONICAL.writeValueAsString(Json.MAPPER.convertValue(subject, MAP));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
