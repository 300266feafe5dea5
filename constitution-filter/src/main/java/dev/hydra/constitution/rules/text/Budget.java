package dev.hydra.constitution.rules.text;

/**
 * The limits every check works within, so that no input (a brace bomb, a glob of 30,000 stars, a
 * 10 MB value, subshells nested ten thousand deep) can make a check run out of memory, stack or
 * time. A reader that reaches a limit throws {@link Exceeded}; the constitution answers it with
 * NEEDS_APPROVAL "too complex to judge: ..." (a person can still look), never with an error.
 *
 * <p>The limits sit far above what a real command or tool call needs: the largest benign inputs in
 * the test corpus use a few dozen words, a nesting depth under ten and values of a few kilobytes.
 */
public final class Budget {
    /** Characters of watched text in one task or tool call (the arguments, every string counted). */
    public static final int MAX_INPUT_CHARS = 1 << 20;
    /** Nesting of the arguments (maps and lists), of subshells and groups, of SQL parentheses. */
    public static final int MAX_NESTING = 64;
    /** Words one shell word may expand to ({a,b}{c,d} is four). */
    public static final int MAX_WORDS = 4096;
    /** Words of one simple command (Linux takes 2 MiB of arguments; no agent types sixteen thousand words). */
    public static final int MAX_ARGUMENTS = 16_384;
    /** Cells of the table that compares two globs (pattern length times path length). */
    public static final long MAX_GLOB_CELLS = 4_000_000;
    /** Time of one check; checked at the readers' loop heads. */
    public static final long MAX_NANOS = 250_000_000L;
    /**
     * The last part of {@link #MAX_NANOS}, in which the check's thread must have run for half the time
     * to be judged too slow: a check that waited for a CPU (a machine at load 40, a GC pause) gets
     * further windows instead, up to {@link #MAX_WALL_NANOS}. Read only when a window ends, since the
     * thread's CPU time costs microseconds where the wall clock costs nanoseconds.
     */
    private static final long WINDOW_NANOS = 50_000_000L;
    /** The wall time no check passes, however starved its thread. */
    public static final long MAX_WALL_NANOS = 10 * MAX_NANOS;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** Per thread: the end of the current window, when the check started, the thread's CPU time at the window's start. */
    private static final ThreadLocal<long[]> DEADLINE = ThreadLocal.withInitial(() -> new long[] {Long.MAX_VALUE, 0, -1});

    private Budget() {
    }

    /** A limit was reached: the item is too complex to judge. */
    public static final class Exceeded extends RuntimeException {
        public Exceeded(String budget) {
            super(budget, null, false, false); // thrown on purpose: no stack trace to fill
        }
    }

    /** Starts the time budget of one check on this thread. */
    public static void start() {
        long[] d = DEADLINE.get();
        long now = System.nanoTime();
        d[0] = now + MAX_NANOS - WINDOW_NANOS;
        d[1] = now;
        d[2] = -1;
    }

    /** Ends the time budget (a reader used outside a check has none). */
    public static void stop() {
        DEADLINE.get()[0] = Long.MAX_VALUE;
    }

    /** Whether a check is running on this thread (a reader used outside one, for redaction, has no budget). */
    public static boolean active() {
        return DEADLINE.get()[0] != Long.MAX_VALUE;
    }

    /** Throws when the current check has used its time. */
    public static void tick() {
        long[] d = DEADLINE.get();
        if (d[0] == Long.MAX_VALUE) {
            return;
        }
        long now = System.nanoTime();
        if (now - d[0] <= 0) {
            return;
        }
        long cpu = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
        boolean busy = cpu < 0 || d[2] >= 0 && cpu - d[2] >= WINDOW_NANOS / 2;
        if (busy || now - d[1] > MAX_WALL_NANOS) {
            throw new Exceeded("the check took longer than " + MAX_NANOS / 1_000_000 + " ms");
        }
        d[0] = now + WINDOW_NANOS; // the thread waited for a CPU: judge by the next window
        d[2] = cpu;
    }

    /** Throws when a value (maps, lists, strings) holds more text than {@link #MAX_INPUT_CHARS} or nests too deep. */
    public static void input(Object value) {
        long chars = measure(value, 0);
        if (chars > MAX_INPUT_CHARS) {
            throw new Exceeded("the input holds " + chars + " characters, more than " + MAX_INPUT_CHARS);
        }
    }

    private static long measure(Object value, int depth) {
        nesting(depth, "the arguments");
        long n = 0;
        if (value instanceof java.util.Map<?, ?> m) {
            for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
                n += String.valueOf(e.getKey()).length() + measure(e.getValue(), depth + 1);
            }
        } else if (value instanceof java.util.Collection<?> c) {
            if (c.size() > MAX_WORDS) {
                throw new Exceeded("a list of " + c.size() + " values, more than " + MAX_WORDS);
            }
            for (Object o : c) {
                n += measure(o, depth + 1);
            }
        } else if (value instanceof CharSequence s) {
            n += s.length();
            wildcards(s);
        } else if (value != null) {
            n += 8;
        }
        return n;
    }

    /** A glob of thousands of wildcards is a bomb for whoever expands or matches it (the shell, a file tool). */
    private static void wildcards(CharSequence s) {
        int stars = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c == '*' || c == '?') && ++stars > MAX_WORDS) {
                throw new Exceeded("a value with more than " + MAX_WORDS + " wildcards");
            }
        }
    }

    /** Throws when a nesting depth passes {@link #MAX_NESTING}. */
    public static void nesting(int depth, String of) {
        if (depth > MAX_NESTING) {
            throw new Exceeded(of + " nested deeper than " + MAX_NESTING);
        }
    }
}
