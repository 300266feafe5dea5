package dev.hydra.topics.actions;

import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The contract's catalog of crew actions, beside the topic catalog and the tool vocabulary: the
 * {@code task.action}s each crew can run, loaded from {@code actions.table}. Every door of
 * {@code hydra.tasks.proposed} refuses a task whose action is not its crew's (the constitution filter
 * for any Kafka producer, the console and {@code hydra submit} before sending), each crew worker has
 * an executor for exactly its crew's actions, and the assessor proposes only declared ones; the tests
 * of each hold them to this table. Immutable.
 */
public final class CrewActions {
    /** The field a refusal names. */
    public static final String FIELD = "task.action";

    private static final String RESOURCE = "actions.table";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final CrewActions STANDARD = load();

    private final Map<Crew, List<CrewAction>> byCrew;

    private CrewActions(Map<Crew, List<CrewAction>> byCrew) {
        Map<Crew, List<CrewAction>> copy = new EnumMap<>(Crew.class);
        byCrew.forEach((crew, actions) -> copy.put(crew, List.copyOf(actions)));
        this.byCrew = copy;
    }

    public static CrewActions standard() {
        return STANDARD;
    }

    /** The actions of one crew, in table order. */
    public List<CrewAction> of(Crew crew) {
        return byCrew.getOrDefault(crew, List.of());
    }

    public List<String> names(Crew crew) {
        return of(crew).stream().map(CrewAction::name).toList();
    }

    /** Every crew's actions, crew by crew in the order of {@link Crew}. */
    public List<CrewAction> all() {
        return byCrew.values().stream().flatMap(List::stream).toList();
    }

    /** The declared action {@code name} of {@code crew} (exact spelling: crews match it so). */
    public Optional<CrewAction> find(Crew crew, String name) {
        return of(crew).stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /**
     * Why {@code task} is refused at the door, when its action is not one its crew runs: the reason
     * names the field, the crew and the crew's actions. Empty for a declared action.
     */
    public Optional<String> refusal(Task task) {
        return refusal(task.crew(), task.action());
    }

    public Optional<String> refusal(Crew crew, String action) {
        if (find(crew, action).isPresent()) {
            return Optional.empty();
        }
        String shown = action.length() > 80 ? action.substring(0, 80) + "…" : action;
        return Optional.of(FIELD + " '" + shown + "' is not an action of crew " + crew.wireName() + "; crew "
                + crew.wireName() + " runs " + names(crew) + " (hydra actions lists every crew's)");
    }

    /** {@code task}, or an {@link InvalidEventException} with the {@link #refusal}. */
    public Task requireDeclared(Task task) {
        refusal(task).ifPresent(reason -> {
            throw new InvalidEventException("task: " + reason);
        });
        return task;
    }

    // ------------------------------------------------------------------ loading

    private static CrewActions load() {
        Map<Crew, List<CrewAction>> byCrew = new EnumMap<>(Crew.class);
        try (InputStream in = CrewActions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                String text = line.strip();
                if (!text.isEmpty() && !text.startsWith("#")) {
                    CrewAction action = action(text, RESOURCE + ":" + n);
                    List<CrewAction> actions = byCrew.computeIfAbsent(action.crew(), c -> new ArrayList<>());
                    if (actions.stream().anyMatch(a -> a.name().equals(action.name()))) {
                        throw new IllegalStateException(RESOURCE + ":" + n + ": " + action.crew() + " "
                                + action.name() + " is listed twice");
                    }
                    actions.add(action);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CrewActions(byCrew);
    }

    private static CrewAction action(String text, String where) {
        String[] cols = text.split("\\s*\\|\\s*", 4);
        if (cols.length != 4 || cols[3].isBlank()) {
            throw new IllegalStateException(where + ": expected 'CREW | ACTION | RUN BY | DESCRIPTION'");
        }
        Crew crew;
        try {
            crew = Crew.fromWire(cols[0]);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": " + e.getMessage());
        }
        if (!NAME.matcher(cols[1]).matches()) {
            throw new IllegalStateException(where + ": an action is snake_case (" + NAME + "), was '" + cols[1] + "'");
        }
        CrewAction.RunBy runBy = switch (cols[2]) {
            case "executor" -> CrewAction.RunBy.EXECUTOR;
            case "agents" -> CrewAction.RunBy.AGENTS;
            default -> throw new IllegalStateException(where + ": RUN BY must be executor or agents, was '"
                    + cols[2] + "'");
        };
        return new CrewAction(crew, cols[1], runBy, cols[3]);
    }
}
