package dev.hydra.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A core-memory block as a list of keyed one-line entries, newest last. The rendered text is the
 * block's content on {@code hydra.memory.blocks}, so a block can be rebuilt from its own content.
 * A block never exceeds its character limit: {@link #fit(int)} moves the oldest entries out (for
 * archival memory) and leaves a one-line note saying how many were moved, instead of cutting text.
 */
public final class BlockContent {
    /** One entry never takes more than this, so a single entry can always fit a block. */
    public static final int MAX_ENTRY_CHARS = 400;
    /** The longest key an agent's line may start with ({@code evaluate vLLM 0.8: why}). */
    private static final int MAX_KEY_CHARS = 80;
    private static final String KEY_SEPARATOR = ": ";
    private static final Pattern NOTE = Pattern.compile(
            "^\\[archival: (\\d+) older entr(?:y|ies) moved to archival memory, search /api/memory/search]$");

    /** One line of a block: a key (service, task) and what is known about it. */
    public record Entry(String key, String text) {
        public Entry {
            key = oneLine(Objects.requireNonNull(key, "key")).replace(KEY_SEPARATOR, " ").strip();
            if (key.isEmpty()) {
                throw new IllegalArgumentException("entry key must not be blank");
            }
            if (key.length() > MAX_KEY_CHARS) {
                // A key is a name (a service, a technology): a longer one would push every other entry out.
                key = key.substring(0, MAX_KEY_CHARS - 1).strip() + "…";
            }
            text = oneLine(text == null ? "" : text).strip();
            int room = MAX_ENTRY_CHARS - key.length() - KEY_SEPARATOR.length();
            if (text.length() > room) {
                // The full text is in archival memory (every result is embedded); the block keeps a summary.
                text = text.substring(0, Math.max(0, room - 1)) + "…";
            }
        }

        String render() {
            return key + KEY_SEPARATOR + text;
        }
    }

    /** The result of fitting a block into its limit: the block and the entries moved out, oldest first. */
    public record Fitted(BlockContent content, List<Entry> evicted) {
    }

    private final List<Entry> entries;
    private final long archived;

    private BlockContent(List<Entry> entries, long archived) {
        this.entries = List.copyOf(entries);
        this.archived = archived;
    }

    public static BlockContent empty() {
        return new BlockContent(List.of(), 0);
    }

    /** Reads a rendered block back; lines that are not entries (hand-written text) are kept as keyed notes. */
    public static BlockContent parse(String content) {
        List<Entry> entries = new ArrayList<>();
        long archived = 0;
        int line = 0;
        for (String raw : (content == null ? "" : content).split("\n")) {
            line++;
            if (raw.isBlank()) {
                continue;
            }
            Matcher note = NOTE.matcher(raw);
            if (note.matches()) {
                archived = Long.parseLong(note.group(1));
                continue;
            }
            int sep = raw.indexOf(KEY_SEPARATOR);
            entries.add(sep > 0 ? new Entry(raw.substring(0, sep), raw.substring(sep + KEY_SEPARATOR.length()))
                    : new Entry("line" + line, raw));
        }
        return new BlockContent(entries, archived);
    }

    /** Adds an entry as the newest; an entry with the same key is replaced (it moves to the end). */
    public BlockContent upsert(Entry entry) {
        List<Entry> next = new ArrayList<>(entries.size() + 1);
        for (Entry e : entries) {
            if (!e.key().equals(entry.key())) {
                next.add(e);
            }
        }
        next.add(entry);
        return new BlockContent(next, archived);
    }

    /**
     * An entry read from an agent's line: {@code KEY: TEXT} when the line starts with a short key
     * (how the assessor reads {@code evaluate NAME: WHY}), else the whole line keyed by its hash, so
     * the same line appended twice is one entry.
     */
    public static Entry line(String line) {
        String text = oneLine(line == null ? "" : line).strip();
        int sep = text.indexOf(KEY_SEPARATOR);
        if (sep > 0 && sep <= MAX_KEY_CHARS) {
            return new Entry(text.substring(0, sep), text.substring(sep + KEY_SEPARATOR.length()));
        }
        return new Entry("note " + Integer.toHexString(text.hashCode()), text);
    }

    /**
     * The block with {@code oldText} replaced by {@code newText} in the first line that holds it (an
     * entry whose line becomes blank is removed); empty when no line holds {@code oldText}.
     */
    public java.util.Optional<BlockContent> replace(String oldText, String newText) {
        String old = oneLine(oldText == null ? "" : oldText);
        if (old.isBlank()) {
            return java.util.Optional.empty();
        }
        for (int i = 0; i < entries.size(); i++) {
            String rendered = entries.get(i).render();
            int at = rendered.indexOf(old);
            if (at < 0) {
                continue;
            }
            String next = (rendered.substring(0, at) + oneLine(newText == null ? "" : newText)
                    + rendered.substring(at + old.length())).strip();
            List<Entry> edited = new ArrayList<>(entries);
            if (next.isEmpty() || next.equals(entries.get(i).key() + ":")) {
                edited.remove(i);
            } else {
                edited.set(i, line(next));
            }
            return java.util.Optional.of(new BlockContent(edited, archived));
        }
        return java.util.Optional.empty();
    }

    /** Moves the oldest entries out until the rendered block is at most {@code limit} characters. */
    public Fitted fit(int limit) {
        List<Entry> kept = new ArrayList<>(entries);
        List<Entry> evicted = new ArrayList<>();
        long moved = archived;
        while (render(kept, moved).length() > limit && !kept.isEmpty()) {
            evicted.add(kept.remove(0));
            moved++;
        }
        return new Fitted(new BlockContent(kept, moved), Collections.unmodifiableList(evicted));
    }

    public List<Entry> entries() {
        return entries;
    }

    /** How many entries were moved to archival memory over the block's life. */
    public long archived() {
        return archived;
    }

    public String render() {
        return render(entries, archived);
    }

    private static String render(List<Entry> entries, long archived) {
        StringBuilder out = new StringBuilder();
        if (archived > 0) {
            out.append("[archival: ").append(archived).append(archived == 1 ? " older entry" : " older entries")
                    .append(" moved to archival memory, search /api/memory/search]");
        }
        for (Entry e : entries) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(e.render());
        }
        return out.toString();
    }

    /**
     * Every line break Java's {@code \\R} knows (U+2028, U+0085, form feed … as well as CR and LF) and
     * every other control character becomes a space: an entry is one line for every reader, so text
     * from a result or an agent cannot start a line of its own in the block (an {@code evaluate} line
     * the P4 rule would read) or in a prompt.
     */
    static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || Character.getType(c) == Character.FORMAT
                    && c != 0x200D) {
                out.append(' ');
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
