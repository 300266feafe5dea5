package dev.hydra.topics.config;

import dev.hydra.topics.events.Crew;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Kafka principal (a SCRAM user) Hydra's clients authenticate as. Each service has its own, so
 * the broker's ACLs can give each exactly the topics the contract gives it; the names are the
 * file names of the generated credentials ({@code <data>/credentials/<name>.properties}).
 */
public record Principal(String name) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

    /** Super user of the cluster: creates topics, SCRAM users and ACLs. Used only to bootstrap. */
    public static final Principal ADMIN = new Principal("admin");
    public static final Principal ASSESSOR = new Principal("assessor");
    public static final Principal CONSTITUTION = new Principal("constitution");
    public static final Principal ROUTER = new Principal("router");
    /** The tool executor. */
    public static final Principal TOOLS = new Principal("tools");
    public static final Principal MEMORY = new Principal("memory");
    /** The console and HTTP API: the one service that authenticates people, so the one writer of decisions. */
    public static final Principal CONSOLE = new Principal("console");
    /** The {@code ./hydra} client commands of an operator (tail, topics, submit, replay, audit). */
    public static final Principal CLI = new Principal("cli");
    /** Outside producers: may propose tasks and read results and status, nothing else. */
    public static final Principal SUBMITTER = new Principal("submitter");

    public Principal {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a principal name is lower case letters, digits, - and _, was '" + name + "'");
        }
    }

    /** {@code crew-<crew>}: the workers of one crew, on any node. */
    public static Principal crew(Crew crew) {
        return new Principal("crew-" + crew.wireName());
    }

    /** Every principal Hydra defines, admin first. */
    public static List<Principal> all() {
        List<Principal> all = new ArrayList<>(List.of(ADMIN, ASSESSOR, CONSTITUTION, ROUTER, TOOLS, MEMORY, CONSOLE, CLI,
                SUBMITTER));
        for (Crew crew : Crew.values()) {
            all.add(crew(crew));
        }
        return List.copyOf(all);
    }

    /** {@code User:<name>}, as Kafka's ACLs and {@code super.users} name it. */
    public String kafkaPrincipal() {
        return "User:" + name;
    }

    @Override
    public String toString() {
        return name;
    }
}
