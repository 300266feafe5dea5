package dev.hydra.topics.signing;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a signature header, {@code VERSION;name=value;…;sig=BASE64}: the one reading of both
 * signature headers ({@link VerdictSignature}, {@link WriterSignature}). Each exception's message names
 * the part that is wrong.
 */
final class HeaderFields {
    /** Longer than any header a signer writes (a verdict signature is about 190 characters). */
    static final int MAX_LENGTH = 512;
    private final Map<String, String> fields;

    private HeaderFields(Map<String, String> fields) {
        this.fields = fields;
    }

    /** {@code header} split into exactly {@code parts} parts, the first {@code version}; else {@code expected} is said. */
    static HeaderFields parse(String header, String version, int parts, String expected) {
        if (header.length() > MAX_LENGTH) {
            // a valid header is under 200 characters: a giant one is refused before it is split or decoded
            throw new IllegalArgumentException("header is " + header.length() + " characters, at most " + MAX_LENGTH
                    + " allowed");
        }
        String[] split = header.split(";", -1);
        if (split.length != parts || !version.equals(split[0])) {
            throw new IllegalArgumentException("expected " + expected);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < split.length; i++) {
            int eq = split[i].indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("part '" + split[i] + "' is not name=value");
            }
            if (fields.put(split[i].substring(0, eq), split[i].substring(eq + 1)) != null) {
                throw new IllegalArgumentException(split[i].substring(0, eq) + " appears twice");
            }
        }
        return new HeaderFields(fields);
    }

    String required(String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        return value;
    }

    /** The {@code sig} field, decoded. */
    byte[] signature() {
        String text = required("sig");
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sig is not base64");
        }
        // one spelling per signature: no missing padding, no stray low bits in the last character
        if (!Base64.getEncoder().encodeToString(decoded).equals(text)) {
            throw new IllegalArgumentException("sig is not canonical base64 (padded, as signers write it)");
        }
        return decoded;
    }
}
