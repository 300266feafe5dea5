package dev.hydra.constitution.rules;

import dev.hydra.constitution.rules.facts.Extractor;
import dev.hydra.constitution.rules.facts.Facts;
import dev.hydra.constitution.rules.facts.Programs;
import dev.hydra.constitution.rules.facts.Recorder;
import dev.hydra.constitution.rules.shell.Shell;
import dev.hydra.constitution.rules.sql.Sql;
import dev.hydra.constitution.rules.text.Budget;
import dev.hydra.constitution.rules.text.PathGlob;
import dev.hydra.constitution.rules.text.Secrets;
import dev.hydra.constitution.rules.text.Text;

import dev.hydra.topics.Redactor;
import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.SandboxSettings;
import dev.hydra.topics.tools.ToolVocabulary;
import dev.hydra.topics.events.Decision;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded constitution (config/constitution.yaml, seed format) and the pure-Java rule engine that
 * rules on tasks and tool calls. No Kafka types: the Streams topology only wires it in.
 *
 * <p>A check reads what the item would do ({@link Extractor}: SQL statements, shell programs, paths,
 * pushes, ...) after normalizing every watched field, then applies every detection. DENY constraints
 * win over NEEDS_APPROVAL ones; a watched field that cannot be read with confidence, and a tool the
 * constitution does not know, need approval (fail closed). Instances are immutable and thread-safe.
 */
public final class Constitution implements Redactor {
    private static final Logger LOG = LoggerFactory.getLogger(Constitution.class);

    /** Constraint named on verdicts for watched fields that could not be read with confidence. */
    public static final String FAIL_CLOSED = "fail_closed";
    /** Constraint named on verdicts for items past a {@link Budget} (too complex to judge). */
    public static final String TOO_COMPLEX = "too_complex";
    /** Constraint named on verdicts for tools the constitution does not know. */
    public static final String UNKNOWN_TOOL = "unknown_tool";

    static final List<String> TOP_LEVEL = List.of("approvers", "approval_timeout", "public_locations",
            "immutable_constraints", "supervised_operations", "autonomous_operations");
    static final List<String> CONSTRAINT_KEYS = List.of("constraint", "description", "action", "detection",
            "enforcement");
    static final List<String> ACTIONS = List.of("deny", "queue_for_approval");
    static final List<String> DETECTION_KINDS = List.of("pattern", "tool", "file_write", "command", "config_change",
            "git_command", "git_commit");
    static final List<String> QUALIFIERS = List.of("with", "to", "in", "containing");
    static final List<String> ENFORCEMENT_KEYS = List.of("log_all_actions", "database", "retention",
            "require_sandbox", "sandbox_provider", "network_disabled");
    static final Map<String, String> SUPERVISED = Map.of("file_delete_outside_workspace", "paths_excluded",
            "service_stop", "services", "nixos_configuration_change", "files", "container_remove", "containers",
            "database_migration", "databases");
    static final List<String> AUTONOMOUS_KEYS = List.of("operation", "paths", "files", "allowed",
            "require_git_commit", "require_tests", "tools");

    private final String sha256;
    private final Set<String> approvers;
    private final Duration approvalTimeout;
    private final List<String> constraints;
    private final Map<String, Map<String, String>> enforcement;
    private final List<Rule.Bound> denyRules;
    private final List<Rule.Bound> approvalRules;
    private final Allowlist allowlist;
    private final Extractor extractor;
    private final Secrets secrets;

    private Constitution(Constitution c, Allowlist allowlist, Extractor extractor) {
        this.sha256 = c.sha256;
        this.approvers = c.approvers;
        this.approvalTimeout = c.approvalTimeout;
        this.constraints = c.constraints;
        this.enforcement = c.enforcement;
        this.denyRules = c.denyRules;
        this.approvalRules = c.approvalRules;
        this.allowlist = allowlist;
        this.extractor = extractor;
        this.secrets = c.secrets;
    }

    private Constitution(Builder b) {
        this.sha256 = b.sha256;
        this.approvers = Set.copyOf(b.approvers);
        this.approvalTimeout = b.approvalTimeout;
        this.constraints = List.copyOf(b.constraints);
        this.enforcement = Map.copyOf(b.enforcement);
        this.denyRules = List.copyOf(b.deny);
        this.approvalRules = List.copyOf(b.approval);
        this.allowlist = new Allowlist(b.operations, b.sandbox);
        this.extractor = new Extractor(SandboxSettings.WORKSPACE_ROOT, Set.copyOf(b.configWords));
        this.secrets = b.secrets;
    }

    /** The constitution of this file, judging shell calls as sandboxed (crews.sandbox: bubblewrap). */
    public static Constitution load(Path file) {
        try {
            Constitution c = parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), file);
            c.warmUp();
            return c;
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the constitution: " + e.getMessage(), e);
        }
    }

    /** Parses and compiles a constitution; a malformed one is refused naming file, line, field and allowed values. */
    public static Constitution parse(String yaml, String origin) {
        return parse(yaml, origin, null);
    }

    /** {@code file}: where the constitution lives, so its directory is protected too (null: only by name). */
    private static Constitution parse(String yaml, String origin, Path file) {
        YamlNode root = YamlNode.parse(yaml, origin);
        Builder b = new Builder(sha256(yaml));
        Map<String, YamlNode> top = root.map(TOP_LEVEL);
        YamlNode constraints = top.get("immutable_constraints");
        if (constraints == null) {
            throw root.error("immutable_constraints is required", TOP_LEVEL);
        }
        if (top.containsKey("approvers")) {
            b.approvers.addAll(top.get("approvers").texts("a list of approver names"));
        }
        if (top.containsKey("approval_timeout")) {
            b.approvalTimeout = duration(top.get("approval_timeout"));
        }
        List<PathGlob> publicLocations = new ArrayList<>();
        if (top.containsKey("public_locations")) {
            for (String g : top.get("public_locations").texts("a list of path globs")) {
                publicLocations.add(new PathGlob(g));
            }
        }
        // Published patterns feed one secret scanner shared by every "containing: secrets" detection.
        List<Pattern> published = new ArrayList<>();
        for (YamlNode c : constraints.list("a list of constraints")) {
            YamlNode detection = c.map(CONSTRAINT_KEYS).get("detection");
            if (detection != null && detection.isList()) {
                for (YamlNode d : detection.list("")) {
                    if (d.isMap() && d.map(null).containsKey("pattern") && d.map(null).containsKey("in")
                            && d.map(null).get("in").isScalar() && "published".equals(d.map(null).get("in").text(""))) {
                        published.add(regex(d.map(null).get("pattern")));
                    }
                }
            }
        }
        b.secrets = new Secrets(published);
        Set<String> names = new LinkedHashSet<>();
        for (YamlNode c : constraints.list("a list of constraints")) {
            constraint(c, b, names, publicLocations);
        }
        if (top.containsKey("supervised_operations")) {
            for (YamlNode op : top.get("supervised_operations").list("a list of operations")) {
                supervised(op, b);
            }
        }
        if (top.containsKey("autonomous_operations")) {
            for (YamlNode op : top.get("autonomous_operations").list("a list of operations")) {
                Map<String, YamlNode> m = op.map(AUTONOMOUS_KEYS);
                if (!m.containsKey("operation")) {
                    throw op.error("operation is required", AUTONOMOUS_KEYS);
                }
                String name = m.get("operation").text("an operation name");
                List<Pattern> tools = new ArrayList<>();
                if (m.containsKey("tools")) {
                    for (String tool : m.get("tools").texts("server.tool names")) {
                        tools.add(Rule.toolPattern(tool));
                    }
                }
                List<PathGlob> paths = new ArrayList<>();
                for (String key : List.of("paths", "files")) {
                    if (m.containsKey(key)) {
                        for (String glob : m.get(key).texts("a list of path globs")) {
                            paths.add(new PathGlob(glob));
                        }
                    }
                }
                b.operations.add(new Allowlist.Operation(name, tools, paths));
                for (String key : List.of("allowed", "require_git_commit", "require_tests")) {
                    if (m.containsKey(key)) {
                        m.get(key).flag();
                    }
                }
            }
        }
        b.constraints.addAll(names);
        Absolutes.add(b.deny, file, b.secrets);
        return new Constitution(b);
    }

    private static void constraint(YamlNode c, Builder b, Set<String> names, List<PathGlob> publicLocations) {
        Map<String, YamlNode> m = c.map(CONSTRAINT_KEYS);
        if (!m.containsKey("constraint")) {
            throw c.error("constraint (the name) is required", CONSTRAINT_KEYS);
        }
        String name = m.get("constraint").text("a snake_case name");
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw m.get("constraint").error("'" + name + "' is not a snake_case name", "[a-z][a-z0-9_]*");
        }
        if (!names.add(name)) {
            throw m.get("constraint").error("constraint '" + name + "' appears twice", "unique names");
        }
        Decision decision = Decision.NEEDS_APPROVAL;
        if (m.containsKey("action")) {
            String action = m.get("action").text(String.join(", ", ACTIONS));
            if (!ACTIONS.contains(action)) {
                throw m.get("action").error("unknown action '" + action + "'", ACTIONS);
            }
            decision = action.equals("deny") ? Decision.DENY : Decision.NEEDS_APPROVAL;
        }
        if (!m.containsKey("detection") && !m.containsKey("enforcement")) {
            throw c.error("constraint '" + name + "' needs detection or enforcement", CONSTRAINT_KEYS);
        }
        List<Rule.Bound> into = decision == Decision.DENY ? b.deny : b.approval;
        if (m.containsKey("detection")) {
            for (YamlNode d : m.get("detection").list("a list of detections: " + String.join(", ", DETECTION_KINDS))) {
                into.add(new Rule.Bound(name, decision, detection(d, b, publicLocations)));
            }
        }
        if (m.containsKey("enforcement")) {
            Map<String, String> obligations = new LinkedHashMap<>();
            for (YamlNode e : m.get("enforcement").list("a list of enforcement entries")) {
                for (Map.Entry<String, YamlNode> entry : e.map(ENFORCEMENT_KEYS).entrySet()) {
                    obligations.put(entry.getKey(), entry.getValue().text("a value"));
                }
            }
            b.enforcement.put(name, obligations);
            if ("true".equals(obligations.get("require_sandbox")) || "true".equals(obligations.get("network_disabled"))) {
                b.approval.add(new Rule.Bound(name, Decision.NEEDS_APPROVAL, new Rule.Sandbox()));
            }
        }
    }

    private static Rule detection(YamlNode d, Builder b, List<PathGlob> publicLocations) {
        List<String> allowedKeys = new ArrayList<>(DETECTION_KINDS);
        allowedKeys.addAll(QUALIFIERS);
        Map<String, YamlNode> m = d.map(allowedKeys);
        List<String> kinds = m.keySet().stream().filter(DETECTION_KINDS::contains).toList();
        if (kinds.size() != 1) {
            throw d.error(kinds.isEmpty() ? "a detection needs a kind" : "a detection has one kind, found " + kinds,
                    DETECTION_KINDS);
        }
        String kind = kinds.get(0);
        YamlNode valueNode = m.get(kind);
        String value = valueNode.text("a value for " + kind);
        String with = m.containsKey("with") ? m.get("with").text("a word or text") : null;
        Secrets secrets = null;
        if (m.containsKey("containing")) {
            String containing = m.get("containing").text("secrets");
            if (!containing.equals("secrets")) {
                throw m.get("containing").error("unknown value '" + containing + "'", "secrets");
            }
            secrets = b.secrets;
        }
        Set<String> qualifiers = switch (kind) {
            case "pattern" -> Set.of("in");
            case "tool" -> Set.of("with", "containing");
            case "file_write" -> Set.of("with", "to", "containing");
            case "command" -> Set.of("containing");
            default -> Set.of();
        };
        for (String q : QUALIFIERS) {
            if (m.containsKey(q) && !qualifiers.contains(q)) {
                throw m.get(q).error(q + " does not apply to " + kind,
                        qualifiers.isEmpty() ? "no qualifiers" : qualifiers);
            }
        }
        return switch (kind) {
            case "pattern" -> {
                String in = m.containsKey("in") ? m.get("in").text("sql, published") : "sql";
                if (!in.equals("sql") && !in.equals("published")) {
                    throw m.get("in").error("unknown scope '" + in + "'", List.of("sql", "published"));
                }
                Pattern regex = regex(valueNode);
                // published patterns are read by the secret scanner of every "containing: secrets" detection
                yield in.equals("sql") ? new Rule.SqlPattern(regex) : f -> null;
            }
            case "tool" -> {
                if (!value.matches("[A-Za-z0-9_*?\\-]+\\.[A-Za-z0-9_*?\\-]+")) {
                    throw valueNode.error("'" + value + "' is not a server.tool name", "server.tool, globs allowed");
                }
                yield new Rule.Tool(value, Rule.toolPattern(value), with == null ? null : with.toUpperCase(Locale.ROOT),
                        secrets);
            }
            case "file_write" -> {
                List<PathGlob> only = null;
                if (m.containsKey("to")) {
                    String to = m.get("to").text("public_location");
                    if (!to.equals("public_location")) {
                        throw m.get("to").error("unknown location '" + to + "'", "public_location");
                    }
                    if (publicLocations.isEmpty()) {
                        throw m.get("to").error("to: public_location needs a top-level public_locations list",
                                "public_locations: [globs]");
                    }
                    only = publicLocations;
                }
                yield new Rule.FileWrite(new PathGlob(value), with, with == null ? null : Rule.withPattern(with), only,
                        secrets);
            }
            case "command" -> {
                if (!value.matches("[A-Za-z0-9_.+\\-]+")) {
                    throw valueNode.error("'" + value + "' is not a program name", "a program name such as iptables");
                }
                yield new Rule.Command(value, new Programs(value), secrets);
            }
            case "config_change" -> {
                String key = Recorder.canonicalKey(value);
                if (!value.matches("[A-Za-z][A-Za-z0-9_]*")) {
                    throw valueNode.error("'" + value + "' is not a setting name", "a setting name such as DISABLE_AUTH");
                }
                for (String word : key.split("_")) {
                    if (!word.equals("DISABLE") && !word.equals("NO") && word.length() > 2) {
                        b.configWords.add(word);
                    }
                }
                b.configWords.add(key);
                if (key.contains("AUTH")) {
                    // settings that switch authentication off without naming it (see Rule.ConfigChange)
                    b.configWords.addAll(List.of("ANONYMOUS", "EVERYONE", "PROTECTED", "SECURITY", "LOGIN", "INSECURE"));
                }
                yield new Rule.ConfigChange(key);
            }
            case "git_command" -> {
                String[] words = Text.fold(value).trim().split("\\s+");
                if (words[0].equals("push")) {
                    yield new Rule.GitCommand(Text.fold(value), "push", words.length >= 3 ? words[2]
                            : words.length == 2 ? words[1] : null);
                }
                yield new Rule.GitCommand(Text.fold(value), words[0], null);
            }
            case "git_commit" -> {
                if (!value.equals("containing_secrets")) {
                    throw valueNode.error("unknown value '" + value + "'", "containing_secrets");
                }
                yield new Rule.GitCommit(b.secrets);
            }
            default -> throw valueNode.error("unknown detection kind '" + kind + "'", DETECTION_KINDS);
        };
    }

    private static void supervised(YamlNode op, Builder b) {
        List<String> keys = new ArrayList<>(List.of("operation", "approval_required"));
        keys.addAll(SUPERVISED.values());
        Map<String, YamlNode> m = op.map(keys);
        if (!m.containsKey("operation")) {
            throw op.error("operation is required", SUPERVISED.keySet().stream().sorted().toList());
        }
        String name = m.get("operation").text("an operation");
        String listKey = SUPERVISED.get(name);
        if (listKey == null) {
            throw m.get("operation").error("unknown supervised operation '" + name + "'",
                    SUPERVISED.keySet().stream().sorted().toList());
        }
        for (String k : m.keySet()) {
            if (!k.equals("operation") && !k.equals("approval_required") && !k.equals(listKey)) {
                throw m.get(k).error(k + " does not apply to " + name, List.of("operation", "approval_required", listKey));
            }
        }
        if (!m.containsKey(listKey)) {
            throw op.error(name + " needs " + listKey, List.of("operation", "approval_required", listKey));
        }
        if (m.containsKey("approval_required") && !m.get("approval_required").flag()) {
            return;
        }
        List<String> values = m.get(listKey).texts("a list of " + listKey);
        List<String> folded = values.stream().map(Text::fold).toList();
        Rule rule = switch (name) {
            case "file_delete_outside_workspace" -> new Rule.DeleteOutside(values.stream().map(PathGlob::new).toList());
            case "service_stop" -> new Rule.Names("stops", folded, false);
            case "container_remove" -> new Rule.Names("removes", folded, true);
            case "nixos_configuration_change" -> new Rule.FileWrite(new PathGlob(values.get(0)), null, null, null, null);
            default -> new Rule.Migration(folded);
        };
        if (name.equals("nixos_configuration_change") && values.size() > 1) {
            for (String file : values.subList(1, values.size())) {
                b.approval.add(new Rule.Bound(name, Decision.NEEDS_APPROVAL,
                        new Rule.FileWrite(new PathGlob(file), null, null, null, null)));
            }
        }
        b.approval.add(new Rule.Bound(name, Decision.NEEDS_APPROVAL, rule));
    }

    private static Pattern regex(YamlNode node) {
        String text = node.text("a regular expression");
        try {
            return Pattern.compile(text, Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw node.error("not a valid regular expression: " + e.getDescription(), "a Java regular expression");
        }
    }

    private static Duration duration(YamlNode node) {
        String raw = node.text("a duration such as 30m, 24h, 7d or PT24H").strip();
        try {
            if (raw.startsWith("P") || raw.startsWith("p")) {
                return positive(node, Duration.parse(raw.toUpperCase(Locale.ROOT)));
            }
            java.util.regex.Matcher m = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)").matcher(raw);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return positive(node, switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            // reported below
        }
        throw node.error("'" + raw + "' is not a duration", "a duration such as 30m, 24h, 7d or PT24H");
    }

    private static Duration positive(YamlNode node, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw node.error("must be positive", "a duration such as 30m, 24h, 7d or PT24H");
        }
        return d;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ API

    /**
     * This constitution judging shell calls for the given sandbox mode ({@code crews.sandbox}): with
     * {@code none}, every shell.run needs a person's approval.
     */
    public Constitution withSandbox(SandboxSettings.Mode mode) {
        return new Constitution(this, allowlist.withSandbox(mode), extractor);
    }

    /**
     * This constitution understanding the tools of {@code tools}: the contract's vocabulary with the
     * configured MCP servers, so that a server configured with a kind is judged by that kind's tools.
     */
    public Constitution withTools(ToolVocabulary tools) {
        return new Constitution(this, allowlist.withTools(tools), extractor.withTools(tools));
    }

    /**
     * The autonomous_operations entry that names {@code qualifiedTool} ({@code server.tool}, or through
     * the kind of its configured server), for {@code hydra tools}; empty when none does.
     */
    public java.util.Optional<String> autonomousOperation(String qualifiedTool) {
        return allowlist.naming(qualifiedTool);
    }

    /** SHA-256 of the file's text, stamped on every verdict and audit record. */
    public String sha256() {
        return sha256;
    }

    /** The names whose approval decisions are accepted. */
    public Set<String> approvers() {
        return approvers;
    }

    /** How long an approval request waits for a person before it expires (approval_timeout, default 24h). */
    public Duration approvalTimeout() {
        return approvalTimeout;
    }

    /** Names of the immutable constraints, in file order. */
    public List<String> constraints() {
        return constraints;
    }

    /** The enforcement obligations of a constraint (e.g. always_audit_trail: retention), empty if none. */
    public Map<String, String> enforcement(String constraint) {
        return enforcement.getOrDefault(constraint, Map.of());
    }

    public Ruling check(Task task) {
        return judge("task", task.id(), task.task(), () -> extractor.of(task));
    }

    public Ruling check(ToolCall call) {
        return judge("tool call", call.id(), call.arguments(), () -> extractor.of(call));
    }

    /**
     * Rules on one item within the {@link Budget}: total, so the filter never stops for one record.
     * A budget reached is "too complex to judge"; anything else thrown inside the rules (a bug, a stack
     * overflow) is "could not be judged". Both need a person, who sees the reason.
     */
    private Ruling judge(String kind, String id, Object arguments, java.util.function.Supplier<Facts> read) {
        Budget.start();
        try {
            Budget.input(arguments);
            return rule(read.get());
        } catch (Budget.Exceeded e) {
            LOG.info("{} {} is too complex to judge: {}", kind, id, e.getMessage());
            return new Ruling(Decision.NEEDS_APPROVAL, TOO_COMPLEX, "too complex to judge: " + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            LOG.warn("{} {} could not be judged by the rule engine", kind, id, e);
            return new Ruling(Decision.NEEDS_APPROVAL, FAIL_CLOSED, "could not be judged: " + e);
        } finally {
            Budget.stop();
        }
    }

    /**
     * Reads one call of each kind once, outside any budget: the first check in a fresh JVM loads and
     * compiles the readers (the YAML parser, the patterns), which on a loaded machine took longer than
     * the 250 ms budget, so the first real call after a restart was parked as too complex.
     */
    private void warmUp() {
        List<ToolCall> calls = List.of(
                warmUpCall("shell", "run", Map.of("command", "cd /workspace && sed -i 's/a/b/' x.py | grep -c a;"
                        + " python3 -c \"import os; os.remove('x')\" && f() { rm -f \"$1\"; }; f y")),
                warmUpCall("filesystem-mcp", "write_file", Map.of("path", "/workspace/hydra.yaml",
                        "content", "auth:\n  enabled: true\ntoken: ${TOKEN}\n")),
                warmUpCall("filesystem-mcp", "write_file", Map.of("path", "/workspace/.env", "content", "A_PASS=${P}\n")),
                warmUpCall("postgres-mcp", "execute_sql", Map.of("sql", "DELETE FROM t WHERE id = 1; DO $$ BEGIN END $$")),
                warmUpCall("n8n", "trigger_webhook", Map.of("data", "{\"usage\": {\"total_tokens\": 3}} %41")));
        for (ToolCall call : calls) {
            try {
                rule(extractor.of(call));
            } catch (RuntimeException e) {
                LOG.debug("warm-up call {}.{} not judged", call.server(), call.tool(), e);
            }
        }
    }

    private static ToolCall warmUpCall(String server, String tool, Map<String, Object> arguments) {
        return new ToolCall("warm-up", "warm-up", dev.hydra.topics.events.Crew.DEVELOPMENT, "warm-up", server, tool,
                arguments, List.of(), null);
    }

    private Ruling rule(Facts f) {
        for (Rule.Bound b : denyRules) {
            Ruling r = b.apply(f);
            if (r != null) {
                return r;
            }
        }
        for (Rule.Bound b : approvalRules) {
            Ruling r = b.apply(f);
            if (r != null) {
                return r;
            }
        }
        if (!f.problems.isEmpty()) {
            return new Ruling(Decision.NEEDS_APPROVAL, FAIL_CLOSED, f.problems.get(0).why());
        }
        if (f.unknownTool != null && !allowlist.namesTool(f.unknownTool)) {
            return new Ruling(Decision.NEEDS_APPROVAL, UNKNOWN_TOOL,
                    "the constitution does not know the tool " + f.unknownTool);
        }
        Ruling uncovered = allowlist.uncovered(f);
        return uncovered == null ? Ruling.allow() : uncovered;
    }

    /** The text with every secret replaced by {@code [REDACTED:kind]}. */
    @Override
    public String redact(String text) {
        return secrets.redact(text);
    }

    /** The task with secrets redacted in its description and action fields. */
    public Task redact(Task task) {
        return task.withText(redact(task.description()), redactValues(task.task()));
    }

    /** The tool call with secrets redacted in its arguments. */
    public ToolCall redact(ToolCall call) {
        return call.withArguments(redactValues(call.arguments()));
    }

    private static final class Builder {
        final String sha256;
        final Set<String> approvers = new LinkedHashSet<>();
        Duration approvalTimeout = Duration.ofHours(24);
        final List<String> constraints = new ArrayList<>();
        final Map<String, Map<String, String>> enforcement = new LinkedHashMap<>();
        final List<Rule.Bound> deny = new ArrayList<>();
        final List<Rule.Bound> approval = new ArrayList<>();
        final List<Allowlist.Operation> operations = new ArrayList<>();
        SandboxSettings.Mode sandbox = SandboxSettings.Mode.BUBBLEWRAP;
        final Set<String> configWords = new LinkedHashSet<>();
        Secrets secrets;

        Builder(String sha256) {
            this.sha256 = sha256;
        }
    }
}
