package dev.hydra.constitution.rules;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hydra.topics.Json;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test cases from data files, one per line: {@code family | expected | kind | payload}.
 *
 * <p>kind builds the item: {@code sql}, {@code sql@DB} (execute_sql), {@code shell} (shell.run),
 * {@code exec:CONTAINER} (docker-mcp exec), {@code write:PATH} (write_file, payload is the content),
 * {@code delete} / {@code read} (payload is the path), {@code move:SOURCE} (payload is the
 * destination), {@code push:REMOTE} (payload is the branch), {@code commit:PATH} (payload is the
 * file content), {@code webhook} / {@code pr} (payload is the text sent), {@code stop} /
 * {@code remove} / {@code restart} (payload is the container), {@code collection},
 * {@code json:server.tool} (payload is the arguments as JSON) and {@code task} (payload is the
 * task's action map as JSON). In payloads {@code ⏎} is a newline and {@code {U+XXXX}} a character.
 */
record Cases(String family, String expected, String kind, String payload, int line) {

    static final Path CONSTITUTION = Path.of(System.getProperty("hydra.constitution",
            "../config/constitution.yaml"));
    private static final Pattern CODE_POINT = Pattern.compile("\\{U\\+([0-9A-Fa-f]{4,6})}");

    static List<Cases> load(String resource) {
        List<Cases> out = new ArrayList<>();
        try (InputStream in = Cases.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = payload(line).split(" \\| ", 4);
                if (parts.length != 4) {
                    throw new IllegalStateException(resource + ":" + n + ": expected 'family | expected | kind | payload'");
                }
                out.add(new Cases(parts[0].strip(), parts[1].strip(), parts[2].strip(), parts[3], n));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String payload(String raw) {
        String s = raw.replace("⏎", "\n");
        Matcher m = CODE_POINT.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(new String(Character.toChars(Integer.parseInt(m.group(1), 16)))));
        }
        m.appendTail(b);
        return b.toString();
    }

    Ruling check(Constitution c) {
        if (kind.equals("task")) {
            return c.check(task());
        }
        return c.check(call());
    }

    Task task() {
        Map<String, Object> action = Json.MAPPER.convertValue(Json.parse(payload), new TypeReference<>() {
        });
        return new Task(null, null, 3, 50, "test case " + family, Crew.INFRASTRUCTURE, action, List.of(), List.of(),
                "test", null);
    }

    ToolCall call() {
        String k = kind;
        String arg = "";
        int colon = kind.indexOf(':');
        if (colon > 0) {
            k = kind.substring(0, colon);
            arg = kind.substring(colon + 1);
        }
        Map<String, Object> args = new LinkedHashMap<>();
        String tool;
        if (k.startsWith("sql")) {
            tool = "postgres-mcp.execute_sql";
            args.put("sql", payload);
            if (k.startsWith("sql@")) {
                args.put("database", k.substring(4));
            }
        } else {
            switch (k) {
                case "shell" -> {
                    tool = "shell.run";
                    args.put("command", payload);
                }
                case "exec" -> {
                    tool = "docker-mcp.exec";
                    args.put("container", arg);
                    args.put("command", payload);
                }
                case "write" -> {
                    tool = "filesystem-mcp.write_file";
                    args.put("path", arg);
                    args.put("content", payload);
                }
                case "delete" -> {
                    tool = "filesystem-mcp.delete_file";
                    args.put("path", payload);
                }
                case "read" -> {
                    tool = "filesystem-mcp.read_file";
                    args.put("path", payload);
                }
                case "move" -> {
                    tool = "filesystem-mcp.move_file";
                    args.put("source", arg);
                    args.put("destination", payload);
                }
                case "push" -> {
                    tool = "git-mcp.push";
                    args.put("remote", arg);
                    if (!payload.equals("-")) {
                        args.put("branch", payload);
                    }
                }
                case "commit" -> {
                    tool = "git-mcp.commit";
                    args.put("message", "update " + arg);
                    args.put("files", List.of(Map.of("path", arg, "content", payload)));
                }
                case "webhook" -> {
                    tool = "n8n.trigger_webhook";
                    args.put("webhook", "notify");
                    args.put("data", Map.of("text", payload));
                }
                case "pr" -> {
                    tool = "github-mcp.create_pull_request";
                    args.put("title", "Update");
                    args.put("body", payload);
                }
                case "stop", "remove", "restart" -> {
                    tool = "docker-mcp." + k + "_container";
                    args.put("container", payload);
                }
                case "collection" -> {
                    tool = "qdrant-mcp.delete_collection";
                    args.put("collection", payload);
                }
                case "json" -> {
                    tool = arg;
                    args.putAll(Json.MAPPER.convertValue(Json.parse(payload), new TypeReference<Map<String, Object>>() {
                    }));
                }
                default -> throw new IllegalStateException("line " + line + ": unknown kind " + kind);
            }
        }
        int dot = tool.indexOf('.');
        return new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder", tool.substring(0, dot), tool.substring(dot + 1),
                args, List.of(), null);
    }

    @Override
    public String toString() {
        String shown = payload.length() > 70 ? payload.substring(0, 67) + "..." : payload;
        return "#" + line + " " + family + " [" + kind + "] " + shown.replace("\n", "⏎");
    }
}
