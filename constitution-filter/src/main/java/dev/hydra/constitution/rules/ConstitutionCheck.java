package dev.hydra.constitution.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Json;
import dev.hydra.topics.Topics;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.Verdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * {@code hydra constitution check}: reads tasks or tool calls, one JSON object per line (a tool call
 * has {@code tool}, a task has {@code task}), and writes one verdict per line in the same order.
 * Denied items are normal output (exit 0); unreadable input stops with exit 2 and a message naming
 * the line.
 */
public final class ConstitutionCheck {
    public static final int OK = 0;
    public static final int UNREADABLE = 2;

    private ConstitutionCheck() {
    }

    public static int run(BufferedReader in, Writer out, Constitution c) {
        try {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                Verdict verdict;
                try {
                    verdict = verdict(line, c);
                } catch (InvalidEventException | IllegalArgumentException e) {
                    out.write("line " + number + ": " + e.getMessage() + "\n");
                    out.flush();
                    return UNREADABLE;
                }
                out.write(Json.write(verdict));
                out.write('\n');
            }
            out.flush();
            return OK;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Verdict verdict(String line, Constitution c) {
        JsonNode node = Json.parse(line);
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object (a task or a tool call)");
        }
        Ruling ruling;
        String id;
        if (node.has("tool")) {
            ToolCall call = Topics.TOOLCALLS_REQUESTED.valueSerde().fromTree(node);
            ruling = c.check(call);
            id = call.id();
        } else if (node.has("task")) {
            Task task = Topics.TASKS_PROPOSED.valueSerde().fromTree(node);
            ruling = c.check(task);
            id = task.id();
        } else {
            throw new IllegalArgumentException("neither a tool call (no \"tool\") nor a task (no \"task\")");
        }
        return new Verdict(id, ruling.decision(), ruling.constraint(), ruling.reason(), c.sha256());
    }
}
