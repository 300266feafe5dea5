package dev.hydra.constitution.rules.text;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.regex.Pattern;

/**
 * A path glob from the constitution, matched against canonical paths. A glob without a slash names
 * a file anywhere ({@code constitution.yaml}, {@code .env}); {@code *} stays inside one path segment
 * and {@code **} crosses segments. A glob also covers everything below what it matches, so
 * {@code /etc/network/*} covers {@code /etc/network/if-up.d/x}.
 *
 * <p>Paths are canonicalized first ({@link #canonical}): decoded, {@code //}, {@code .} and {@code ..}
 * resolved, relative paths taken from the workspace, case folded. A path that is itself a glob (a
 * shell wildcard, or a part whose value is unknown) matches when it could name a protected file.
 */
public final class PathGlob {
    private final String glob;
    private final Pattern regex;
    /** A part every match contains: a cheap test before the regex. */
    private final String literal;
    private final boolean basenameOnly;
    /** Whether the glob ends in a literal file name (constitution.yaml, auth.py) rather than a wildcard. */
    private final boolean namesFile;
    private final char[] anchored;
    private final char[] below;

    public PathGlob(String glob) {
        this.glob = glob;
        String g = Text.fold(glob.strip());
        this.basenameOnly = g.indexOf('/') < 0;
        String body = toRegex(basenameOnly ? g : canonical(g, "/"));
        // one match covers the path and everything below it, and for a bare name any directory; DOTALL
        // because a file name may hold a line break, and . would otherwise stop there and miss the path
        this.regex = Pattern.compile((basenameOnly ? "(?:.*/)?" : "") + body + "(?:/.*)?", Pattern.DOTALL);
        this.literal = longestLiteral(basenameOnly ? g : canonical(g, "/"));
        String lastSegment = g.substring(g.lastIndexOf('/') + 1);
        this.namesFile = !lastSegment.isEmpty() && !isGlob(lastSegment);
        String whole = basenameOnly ? "**/" + g : canonical(g, "/");
        this.anchored = tokens(whole);
        this.below = tokens(whole + "/**");
    }

    public String glob() {
        return glob;
    }

    /** Whether a canonical path (see {@link #canonical}) is, or lies below, a match. */
    public boolean matches(String canonicalPath) {
        return matches(canonicalPath, isGlob(canonicalPath));
    }

    /** {@link #matches(String)} when the caller already knows whether the path is a glob. */
    public boolean matches(String canonicalPath, boolean pathIsGlob) {
        if (pathIsGlob) {
            return couldMatch(canonicalPath);
        }
        return canonicalPath.contains(literal) && regex.matcher(canonicalPath).matches();
    }

    private static String longestLiteral(String glob) {
        String best = "";
        int start = 0;
        for (int i = 0; i <= glob.length(); i++) {
            if (i == glob.length() || "*?[".indexOf(glob.charAt(i)) >= 0) {
                if (i - start > best.length()) {
                    best = glob.substring(start, i);
                }
                start = i + 1;
            }
        }
        return best;
    }

    private boolean couldMatch(String pathGlob) {
        char[] path = tokens(pathGlob);
        String last = pathGlob.substring(pathGlob.lastIndexOf('/') + 1);
        if (namesFile && (last.isEmpty() || last.chars().allMatch(c -> c == '*' || c == Text.UNKNOWN))) {
            return false; // "everything in a directory" does not name this one file
        }
        if (basenameOnly) {
            return intersects(anchored, path);
        }
        return intersects(anchored, path) || intersects(below, path);
    }

    private static final char STAR = '\u0001';
    private static final char STARS = '\u0002';
    private static final char ONE = '\u0003';

    /** A glob as characters with STAR (no slash), STARS (anything) and ONE (one character but slash). */
    public static char[] tokens(String glob) {
        StringBuilder b = new StringBuilder(glob.length());
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == Text.UNKNOWN) {
                b.append(STARS);
            } else if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    i++;
                    b.append(STARS);
                } else {
                    b.append(STAR);
                }
            } else if (c == '?') {
                b.append(ONE);
            } else if (c == '[' && glob.indexOf(']', i + 1) > i + 1) {
                b.append(ONE);
                i = glob.indexOf(']', i + 1);
            } else {
                b.append(c);
            }
        }
        return b.toString().toCharArray();
    }

    /**
     * Whether some path matches both globs: a table over both patterns, filled from the ends one row
     * at a time (a loop, not recursion: 30,000 stars once overflowed the stack), within
     * {@link Budget#MAX_GLOB_CELLS} cells.
     */
    public static boolean intersects(char[] a, char[] b) {
        if ((long) (a.length + 1) * (b.length + 1) > Budget.MAX_GLOB_CELLS) {
            throw new Budget.Exceeded("a glob of " + a.length + " characters compared with one of " + b.length);
        }
        boolean[] below = new boolean[b.length + 1]; // row i + 1
        boolean[] row = new boolean[b.length + 1];
        for (int i = a.length; i >= 0; i--) {
            for (int j = b.length; j >= 0; j--) {
                boolean r;
                if (i == a.length && j == b.length) {
                    r = true;
                } else if (i < a.length && (a[i] == STAR || a[i] == STARS)) {
                    r = below[j] || j < b.length && consumes(a[i], b[j]) && row[j + 1];
                } else if (j < b.length && (b[j] == STAR || b[j] == STARS)) {
                    r = row[j + 1] || i < a.length && consumes(b[j], a[i]) && below[j];
                } else if (i == a.length || j == b.length) {
                    r = false;
                } else {
                    r = compatible(a[i], b[j]) && below[j + 1];
                }
                row[j] = r;
            }
            boolean[] done = below;
            below = row;
            row = done;
        }
        return below[0];
    }

    private static boolean consumes(char star, char c) {
        return star == STARS || c != '/';
    }

    private static boolean compatible(char x, char y) {
        if (x == ONE) {
            return y != '/';
        }
        if (y == ONE) {
            return x != '/';
        }
        return x == y;
    }

    /** An absolute lower-case ASCII path with nothing to decode or resolve. */
    private static boolean plain(String path) {
        int n = path.length();
        if (n < 2 || path.charAt(0) != '/' || path.charAt(n - 1) == '/' || path.charAt(n - 1) == '.') {
            return false;
        }
        char prev = '/';
        for (int i = 1; i < n; i++) {
            char c = path.charAt(i);
            if (c >= 0x80 || c >= 'A' && c <= 'Z' || c == '%' || c == '\\' || c == '&' || c == '~' || c <= ' '
                    || c == '/' && (prev == '/' || prev == '.') || c == Text.UNKNOWN) {
                return false;
            }
            prev = c;
        }
        return true;
    }

    /** The directory a glob path stays inside: its part before the first wildcard, up to the last slash. */
    public static String fixedDirectory(String path) {
        int wild = path.length();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == Text.UNKNOWN) {
                wild = i;
                break;
            }
        }
        return path.substring(0, Math.max(0, path.lastIndexOf('/', wild)));
    }

    public static boolean isGlob(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == Text.UNKNOWN) {
                return true;
            }
        }
        return false;
    }

    public static String toRegex(String glob) {
        StringBuilder r = new StringBuilder(glob.length() + 8);
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == Text.UNKNOWN) {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                        i++;
                        r.append("(?:.*/)?");
                    } else {
                        r.append(".*");
                    }
                } else {
                    r.append(c == Text.UNKNOWN ? ".*" : "[^/]*");
                }
            } else if (c == '?') {
                r.append("[^/]");
            } else if (c == '[') {
                int close = glob.indexOf(']', i + 1);
                if (close > i + 1) {
                    String set = glob.substring(i + 1, close).replace("\\", "\\\\");
                    if (set.startsWith("!")) {
                        set = "^" + set.substring(1);
                    }
                    r.append('[').append(set).append(']');
                    i = close;
                } else {
                    r.append("\\[");
                }
            } else if ("\\.^$+{}()|".indexOf(c) >= 0) {
                r.append('\\').append(c);
            } else {
                r.append(c);
            }
        }
        return r.toString();
    }

    /**
     * The canonical form of a path: escapes decoded, case folded, {@code ~} as /root, relative paths
     * resolved against {@code base}, {@code //}, {@code .} and {@code ..} resolved (never above /).
     */
    public static String canonical(String path, String base) {
        if (plain(path) && !path.startsWith("/proc/")) {
            return path; // already canonical: the common case costs one scan
        }
        String p = Text.fold(Text.decode(path).strip()).replace('\\', '/');
        if (p.startsWith("file://")) {
            p = p.substring("file://".length());
        }
        if (p.equals("~") || p.startsWith("~/")) {
            p = "/root" + p.substring(1);
        }
        if (!p.isEmpty() && p.charAt(0) == Text.UNKNOWN) {
            p = "/" + p; // an unknown start may be an absolute path
        } else if (!p.startsWith("/")) {
            p = (base == null ? "/" : base) + "/" + p;
        }
        Deque<String> parts = new ArrayDeque<>();
        int i = 0;
        int n = p.length();
        while (i < n) {
            int slash = p.indexOf('/', i);
            int end = slash < 0 ? n : slash;
            String part = p.substring(i, end);
            if (part.isEmpty() || part.equals(".")) {
                // nothing
            } else if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
            i = end + 1;
        }
        // /proc/self/root (of any process: the root it sees, the host's for a process outside a chroot) is /
        while (parts.size() >= 3 && parts.peekFirst().equals("proc")) {
            Iterator<String> it = parts.iterator();
            it.next();
            String process = it.next();
            if (!it.next().equals("root") || !(process.equals("self") || process.equals("thread-self")
                    || process.chars().allMatch(Character::isDigit))) {
                break;
            }
            for (int k = 0; k < 3; k++) {
                parts.pollFirst();
            }
        }
        if (parts.isEmpty()) {
            return "/";
        }
        StringBuilder b = new StringBuilder(p.length());
        for (String part : parts) {
            b.append('/').append(part);
        }
        return b.toString();
    }
}
