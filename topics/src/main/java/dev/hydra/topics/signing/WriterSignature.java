package dev.hydra.topics.signing;

import dev.hydra.topics.ContentHash;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.TaskResult;
import dev.hydra.topics.events.TaskStatus;
import dev.hydra.topics.events.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A writer's signature on one record of {@code hydra.tasks.status}, {@code hydra.tasks.results} or
 * {@code hydra.toolcalls.requested}, as it travels in the {@code hydra-crew-signature} header
 * ({@link dev.hydra.topics.EventHeaders#CREW_SIGNATURE}):
 *
 * <pre>v1;by=&lt;writer&gt;;kid=&lt;key id&gt;;sig=&lt;base64 Ed25519 signature&gt;</pre>
 *
 * <p>Kafka does not tell a reader who wrote a record, and every crew's principal may write these
 * topics, so the crew a record names is proven by a key only that crew holds. The signature covers
 * {@link #message}: the topic, the writer, the crew the record names, the record's content hash and
 * its key, so it cannot be carried onto another topic, another record, another key or another crew.
 * A writer is a crew (its wire name), {@link #ROUTER} (the task router's statuses and FAILED results)
 * or {@link #OPERATOR} (the console's and the CLI's tool calls for a person, and replays).
 */
public record WriterSignature(String writer, String keyId, byte[] signature) {
    public static final String VERSION = "v1";
    /** The task router: statuses it writes for any crew's task, and the FAILED result of a task it gave up on. */
    public static final String ROUTER = "router";
    /** A person through the console or {@code ./hydra} (tool calls, replays): may name any crew. */
    public static final String OPERATOR = "operator";

    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");

    public WriterSignature {
        if (!writers().contains(writer)) {
            throw new IllegalArgumentException("by must be one of " + writers() + ", was '" + writer + "'");
        }
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("kid must be 16 lowercase hex digits, was '" + keyId + "'");
        }
    }

    /** Every identity that signs records: the crews, the router, the operator. */
    public static List<String> writers() {
        List<String> all = new java.util.ArrayList<>(Crew.wireNames());
        all.add(ROUTER);
        all.add(OPERATOR);
        return List.copyOf(all);
    }

    /** Parses a header value; the message of the exception names the part that is wrong. */
    public static WriterSignature parse(String header) {
        HeaderFields fields = HeaderFields.parse(header, VERSION, 4, VERSION + ";by=…;kid=…;sig=…");
        byte[] signature = fields.signature();
        return new WriterSignature(fields.required("by"), fields.required("kid"), signature);
    }

    public String header() {
        return VERSION + ";by=" + writer + ";kid=" + keyId + ";sig=" + Base64.getEncoder().encodeToString(signature);
    }

    /**
     * The bytes signed. Topic, writer, crew and hash have fixed alphabets without newlines and the key
     * comes last, marked present or absent, so the string reads back unambiguously whatever the key holds.
     */
    public static byte[] message(String topic, String writer, Crew crew, String contentSha256, String key) {
        return ("hydra-crew-signature-" + VERSION + "\n" + topic + "\n" + writer + "\n" + crew.wireName() + "\n"
                + contentSha256 + "\n" + (key == null ? "-" : "=" + key)).getBytes(StandardCharsets.UTF_8);
    }

    /** The crew a signed record names: the crew field of a status, a result or a tool call. */
    public static Crew crewOf(Object value) {
        if (value instanceof TaskStatus status) {
            return status.crew();
        }
        if (value instanceof TaskResult result) {
            return result.crew();
        }
        if (value instanceof ToolCall call) {
            return call.crew();
        }
        throw new IllegalArgumentException("no crew signature for a " + value.getClass().getSimpleName());
    }

    /**
     * Why {@code key} is not a key this record may be written under, or empty. A status and a result are
     * keyed by their task id, a tool call by its id or its task's id (the agents' gateway and replays
     * key by id, a crew's own fixtures by task): the signature covers the key, and this ties the key
     * to the id a reader acts on, so a record cannot sit under another task's key (the task's
     * partition, its history, its place in a keyed store) while naming its own.
     */
    public static java.util.Optional<String> keyRefusal(String topic, String key, Object value) {
        List<String> allowed;
        if (value instanceof TaskStatus status) {
            allowed = List.of(status.taskId());
        } else if (value instanceof TaskResult result) {
            allowed = List.of(result.taskId());
        } else if (value instanceof ToolCall call) {
            allowed = List.of(call.id(), call.taskId());
        } else {
            return java.util.Optional.of("no crew signature for a " + value.getClass().getSimpleName());
        }
        if (key == null || !allowed.contains(key)) {
            return java.util.Optional.of("a " + topic + " record " + (key == null ? "without a key" : "keyed '" + key + "'")
                    + " must be keyed by " + (allowed.size() == 1 ? "its task id '" + allowed.get(0) + "'"
                    : "its id '" + allowed.get(0) + "' or its task id '" + allowed.get(1) + "'"));
        }
        return java.util.Optional.empty();
    }

    /** What a signature covers of the value: the SHA-256 of its canonical JSON. */
    public static String contentSha256(Object value) {
        return ContentHash.of(ContentHash.asMap(value));
    }
}
