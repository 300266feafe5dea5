package dev.hydra.crew;

import dev.hydra.topics.Redactor;
import java.util.regex.Pattern;

/**
 * A stand-in for the constitution's redactor, which lives in a module crews do not depend on: it
 * knows one kind of secret (OpenAI-style keys), enough to show where a crew applies redaction. The
 * real rule engine's redaction is tested in constitution-filter and, wired into crews, in ops.
 */
final class TestRedactor {
    private static final Pattern KEY = Pattern.compile("sk-[A-Za-z0-9]{20,}");
    static final Redactor OPENAI_KEYS = text -> KEY.matcher(text).replaceAll("[REDACTED:openai_api_key]");
    /** A key of the shape the stand-in redacts. */
    static final String SECRET = "sk-proj4ZzT8qLmW2vB9xK7nR3cY6hJ";

    private TestRedactor() {
    }
}
