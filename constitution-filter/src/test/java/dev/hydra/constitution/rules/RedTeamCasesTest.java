package dev.hydra.constitution.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.tools.McpServerConfig;
import dev.hydra.topics.tools.ToolVocabulary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cases written by a red team that did not read the rules (redteam-adversarial.cases and
 * redteam-benign.cases, a third round in redteam-round3*.cases and a fourth in redteam-round4*.cases): every attack is blocked with the expected verdict, every look-alike is
 * allowed, and no input, however large or deeply nested, makes a check throw instead of judging.
 *
 * <p>On top of the {@link Cases} notation the red-team files use two placeholders, expanded here in
 * both kind and payload: {@code {CONSTITUTION_DIR}} is the absolute directory of the constitution
 * under test (so attacks on "its directory" name the real one), and {@code {REPEAT:n:text}} is
 * {@code text} repeated {@code n} times, for the pathological inputs (the text may hold balanced
 * braces, as in {@code {REPEAT:30:{a,b}}}).
 *
 * <p>Cases the rules do not yet meet are listed in {@code redteam-open.txt} (file:line and why): each is
 * reported as skipped with its reason instead of failing, and {@link #everyOpenCaseStillFails} fails
 * as soon as a listed case passes, so the list names exactly the holes that are still open.
 *
 * <p>There is no timeout: every check must stop at its own budget, so a case that never returns is the
 * bug itself (a thread dump of the fork names it).
 */
class RedTeamCasesTest {
    private static final String ADVERSARIAL = "redteam-adversarial.cases";
    private static final String BENIGN = "redteam-benign.cases";
    /** The third round: families the first two did not have (MCP server shapes, unknown wrappers, ...). */
    private static final String ROUND3 = "redteam-round3.cases";
    private static final String ROUND3_BENIGN = "redteam-round3-benign.cases";
    /**
     * The fourth round: official MCP servers' real argument shapes (mcp-server-git's repo_path and option
     * injection, server-postgres' query), NUL and /proc/self/root paths, shell builtins that take code or
     * names as data, patches, compose files, hex and split secrets, passwords given to clients, task steps.
     * Judged with the official servers also configured under names of their own (kind:), as hydra.yaml does.
     */
    static final String ROUND4 = "redteam-round4.cases";
    static final String ROUND4_BENIGN = "redteam-round4-benign.cases";
    /** The MCP servers round 4 reaches by a configured name: {@code repo-git.git_diff} is mcp-server-git's. */
    static final List<McpServerConfig> CONFIGURED = List.of(
            configured("docs-fs", "server-filesystem"), configured("repo-git", "mcp-server-git"),
            configured("lab-pg", "server-postgres"));
    private static final String REPEAT = "{REPEAT:";
    /** A typo in a count must not turn the test data itself into a memory bomb. */
    private static final long MAX_EXPANDED_CHARS = 32L << 20;
    private static final String OPEN = "redteam-open.txt";
    private static Constitution constitution;

    /** A case with the file it came from, named by file:line, family and the start of its payload. */
    record RedTeamCase(String file, Cases c) {
        boolean pathological() {
            return c.family().startsWith("too-complex");
        }

        @Override
        public String toString() {
            String shown = c.payload().length() > 60 ? c.payload().substring(0, 57) + "..." : c.payload();
            return file + ":" + c.line() + " " + c.family() + " [" + c.kind() + "] " + shown.replace("\n", "⏎");
        }
    }

    @BeforeAll
    static void load() {
        constitution = Constitution.load(Cases.CONSTITUTION)
                .withTools(ToolVocabulary.standard().withServers(CONFIGURED));
    }

    static List<RedTeamCase> adversarial() {
        return concat(concat(load(ADVERSARIAL), load(ROUND3)), load(ROUND4));
    }

    static List<RedTeamCase> benign() {
        return concat(concat(load(BENIGN), load(ROUND3_BENIGN)), load(ROUND4_BENIGN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adversarial")
    void blocksAnAttackItsAuthorsDidNotWrite(RedTeamCase rt) {
        skipIfOpen(rt);
        Ruling ruling = judge(rt);
        assertThat(ruling.decision()).as("%s -> %s", rt, ruling).isNotEqualTo(Decision.ALLOW);
        if (!rt.c().expected().equals("BLOCKED")) {
            assertThat(ruling.decision()).as("%s -> %s", rt, ruling).isEqualTo(Decision.valueOf(rt.c().expected()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("benign")
    void allowsALookAlike(RedTeamCase rt) {
        skipIfOpen(rt);
        Ruling ruling = judge(rt);
        assertThat(ruling.decision()).as("%s -> %s", rt, ruling).isEqualTo(Decision.valueOf(rt.c().expected()));
    }

    /**
     * Arguments nested far deeper than JSON on the wire allows (Jackson stops at 1,000 levels), as a
     * producer that builds the record itself could send: a verdict (whichever), not a StackOverflowError.
     */
    @Test
    void judgesArgumentsNestedAHundredThousandLevelsDeep() {
        Object nested = "done";
        for (int i = 0; i < 100_000; i++) {
            nested = i % 2 == 0 ? List.of(nested) : Map.of("d", nested);
        }
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("webhook", "notify");
        arguments.put("data", nested);
        ToolCall call = new ToolCall(null, "task-1", Crew.DEVELOPMENT, "coder", "n8n", "trigger_webhook", arguments,
                List.of(), null);
        Ruling ruling = verdict(() -> constitution.check(call), "arguments nested 100,000 levels deep");
        assertThat(ruling).isNotNull();
        assertThat(ruling.decision()).as("%s", ruling).isNotNull();
    }

    @Test
    void everyOpenCaseStillFails() {
        Set<String> open = new TreeSet<>(openCases().keySet());
        List<String> nowPassing = new ArrayList<>();
        for (RedTeamCase rt : concat(adversarial(), benign())) {
            String where = rt.file() + ":" + rt.c().line();
            if (open.remove(where) && meets(rt, judge(rt))) {
                nowPassing.add(rt.toString());
            }
        }
        assertThat(open).as("lines of %s that name no case", OPEN).isEmpty();
        assertThat(nowPassing).as("cases listed in %s that now pass: take them off the list", OPEN).isEmpty();
    }

    @Test
    void coversEnoughAttacksAndLookAlikes() {
        assertThat(adversarial()).hasSizeGreaterThanOrEqualTo(250);
        assertThat(benign()).hasSizeGreaterThanOrEqualTo(120);
        assertThat(adversarial()).filteredOn(RedTeamCase::pathological).isNotEmpty();
    }

    /**
     * Round 4 by itself: at least 40 attacks in at least 20 families and 15 look-alikes, and every attack
     * that names the constitution expects DENY by name, not merely "blocked" (the pathological inputs, which
     * are too complex to judge, aside).
     */
    @Test
    void roundFourHasItsAttacksAndLookAlikes() {
        List<RedTeamCase> attacks = load(ROUND4);
        assertThat(attacks).hasSizeGreaterThanOrEqualTo(40);
        assertThat(load(ROUND4_BENIGN)).hasSizeGreaterThanOrEqualTo(15);
        assertThat(attacks).filteredOn(rt -> rt.c().payload().contains("constitution.yaml")
                && !rt.c().kind().startsWith("read") && !rt.pathological()).allSatisfy(rt -> assertThat(rt.c().expected())
                .as("%s attacks the constitution", rt).isEqualTo("DENY"));
        assertThat(attacks.stream().map(rt -> rt.c().family()).distinct().count()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void expandsTheRedTeamNotation() {
        assertThat(expand("x{REPEAT:3:{a,b}}y")).isEqualTo("x{a,b}{a,b}{a,b}y");
        assertThat(expand("{REPEAT:2:$(}1{REPEAT:2:)}")).isEqualTo("$($(1))");
        assertThat(expand("{CONSTITUTION_DIR}/c")).isEqualTo(constitutionDir() + "/c");
    }

    /**
     * A verdict for every case: an exception or error is a failure of its own, never a pass. Errors
     * are caught here rather than by assertDoesNotThrow, which rethrows an OutOfMemoryError and so lets
     * one brace bomb take the whole fork (and every other case's result) down with it.
     */
    private static Ruling judge(RedTeamCase rt) {
        Ruling ruling = verdict(() -> rt.c().check(constitution), rt);
        assertThat(ruling).as("no ruling for %s", rt).isNotNull();
        assertThat(ruling.decision()).as("no decision for %s", rt).isNotNull();
        return ruling;
    }

    private static Ruling verdict(Supplier<Ruling> check, Object what) {
        try {
            return check.get();
        } catch (Throwable t) { // OutOfMemoryError and StackOverflowError are what this test looks for
            throw new AssertionError("check threw " + t + " on " + what, t);
        }
    }

    private static boolean meets(RedTeamCase rt, Ruling ruling) {
        Decision expected = rt.c().expected().equals("BLOCKED") ? null : Decision.valueOf(rt.c().expected());
        if (BENIGN_FILES.contains(rt.file())) {
            return ruling.decision() == expected;
        }
        return ruling.decision() != Decision.ALLOW && (expected == null || ruling.decision() == expected);
    }

    private static void skipIfOpen(RedTeamCase rt) {
        String why = openCases().get(rt.file() + ":" + rt.c().line());
        Assumptions.assumeTrue(why == null, () -> "open hole (" + OPEN + "): " + why);
    }

    private static List<RedTeamCase> concat(List<RedTeamCase> a, List<RedTeamCase> b) {
        List<RedTeamCase> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** file:line of each case still open, with why; {@code #} starts a comment line. */
    private static Map<String, String> openCases() {
        Map<String, String> open = new LinkedHashMap<>();
        try (InputStream in = RedTeamCasesTest.class.getResourceAsStream(OPEN)) {
            if (in == null) {
                return open;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+", 2);
                open.put(parts[0], parts.length > 1 ? parts[1].strip() : "no reason given");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return open;
    }

    private static List<RedTeamCase> load(String file) {
        List<RedTeamCase> out = new ArrayList<>();
        for (Cases c : Cases.load(file)) {
            out.add(new RedTeamCase(file, new Cases(c.family(), c.expected(), expand(c.kind()), expand(c.payload()),
                    c.line())));
        }
        return out;
    }

    static String expand(String s) {
        s = s.replace("{CONSTITUTION_DIR}", constitutionDir());
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int start = s.indexOf(REPEAT, i);
            if (start < 0) {
                return out.append(s, i, s.length()).toString();
            }
            out.append(s, i, start);
            int colon = s.indexOf(':', start + REPEAT.length());
            int count = Integer.parseInt(s.substring(start + REPEAT.length(), colon));
            int depth = 1;
            int end = colon + 1;
            for (; depth > 0; end++) {
                if (end == s.length()) {
                    throw new IllegalArgumentException("unbalanced {REPEAT:...} in " + s.substring(start, Math.min(s.length(), start + 60)));
                }
                char ch = s.charAt(end);
                depth += ch == '{' ? 1 : ch == '}' ? -1 : 0;
            }
            String text = s.substring(colon + 1, end - 1);
            if ((long) count * text.length() + out.length() > MAX_EXPANDED_CHARS) {
                throw new IllegalArgumentException("{REPEAT:" + count + ":...} expands past " + MAX_EXPANDED_CHARS + " characters");
            }
            out.append(text.repeat(count));
            i = end;
        }
    }

    private static final Set<String> BENIGN_FILES = Set.of(BENIGN, ROUND3_BENIGN, ROUND4_BENIGN);

    private static McpServerConfig configured(String name, String kind) {
        return new McpServerConfig(name, List.of("npx", kind), java.util.Optional.empty(), java.util.Optional.of(kind),
                List.of());
    }

    private static String constitutionDir() {
        return Cases.CONSTITUTION.toAbsolutePath().normalize().getParent().toString();
    }
}
