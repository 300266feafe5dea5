package dev.hydra.topics.events;

import java.util.Map;
import java.util.Set;

/**
 * One row change of a Postgres table, as captured by Debezium and flattened onto
 * {@code hydra.cdc.<table>}: the operation, the row's primary key, the row before and after the
 * change, and the source position (for example the LSN) so a reader can say where it came from.
 * The Kafka key is the primary key as compact JSON (for example {@code {"id":7}}), so compaction
 * keeps the latest change of each row. Column values are JSON values; SQL NULL is a JSON null.
 *
 * @param op {@code c} insert, {@code u} update, {@code d} delete, {@code r} read during a snapshot
 * @param before the row before the change; empty for {@code c} and {@code r}
 * @param after the row after the change; empty for {@code d}
 */
public record CdcEvent(String table, String op, Map<String, Object> key, Map<String, Object> before,
                       Map<String, Object> after, String source) {

    public static final String CREATE = "c";
    public static final String UPDATE = "u";
    public static final String DELETE = "d";
    public static final String READ = "r";
    private static final Set<String> OPS = Set.of(CREATE, UPDATE, DELETE, READ);

    public CdcEvent {
        Fields.text(table, "table");
        if (op == null || !OPS.contains(op)) {
            throw new IllegalArgumentException("op must be one of c, u, d, r, was " + op);
        }
        key = Fields.map(key);
        before = Fields.map(before);
        after = Fields.map(after);
        if (DELETE.equals(op) ? before.isEmpty() && key.isEmpty() : after.isEmpty()) {
            throw new IllegalArgumentException(DELETE.equals(op)
                    ? "a delete (op d) needs the key or the row before" : "op " + op + " needs the row after");
        }
        source = source == null ? "" : source;
    }

    /** True when the row no longer exists after this change. */
    public boolean isDelete() {
        return DELETE.equals(op);
    }

    /** The row as it is now: {@code after}, or {@code before} for a delete. */
    public Map<String, Object> row() {
        return isDelete() ? before : after;
    }
}
