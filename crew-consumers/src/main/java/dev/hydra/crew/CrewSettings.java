package dev.hydra.crew;

import dev.hydra.topics.config.KnownSettings;
import dev.hydra.topics.config.Setting;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Every setting of the crew workers and the tool executor, declared once. They live in the
 * {@code crews:} section of hydra.yaml; each can be overridden by the environment variable beside it.
 */
public final class CrewSettings {

    public static final Setting<Duration> HEARTBEAT = Setting.duration("crews.heartbeat", "HYDRA_CREW_HEARTBEAT",
            "10s", "how often a worker reports HEARTBEAT for a running task and announces its node");
    public static final Setting<Duration> POLL_TIMEOUT = Setting.duration("crews.pollTimeout",
            "HYDRA_CREW_POLL_TIMEOUT", "200ms", "how long an idle worker waits in one poll");
    public static final Setting<Integer> CONCURRENCY = Setting.integer("crews.concurrency",
            "HYDRA_CREW_CONCURRENCY", 1, 1, 256, "tasks one worker runs at once (what its model server serves in "
                    + "parallel: 1 for a single Ollama GPU, more for vLLM or TabbyAPI batching)");
    public static final Setting<Duration> STATUS_LOOKBACK = Setting.duration("crews.statusLookback",
            "HYDRA_CREW_STATUS_LOOKBACK", "7d", "how far back a worker reads hydra.tasks.status to recognise copies "
                    + "of tasks already claimed or finished");
    public static final Setting<Integer> MAX_ITERATIONS = Setting.integer("crews.maxIterations",
            "HYDRA_CREW_MAX_ITERATIONS", 12, 1, 1_000, "model calls one task may make before it fails");
    public static final Setting<Integer> MAX_TOOL_CALLS = Setting.integer("crews.maxToolCalls",
            "HYDRA_CREW_MAX_TOOL_CALLS", 20, 0, 10_000, "tool calls one task may make before it fails");
    public static final Setting<Integer> TOKEN_BUDGET = Setting.integer("crews.tokenBudget",
            "HYDRA_CREW_TOKEN_BUDGET", 100_000, 1, 100_000_000, "tokens one task may spend before it fails");
    public static final Setting<Duration> TOOL_TIMEOUT = Setting.duration("crews.toolTimeout",
            "HYDRA_CREW_TOOL_TIMEOUT", "2m", "how long an agent waits for the result of one tool call");
    public static final Setting<Duration> SHELL_TIMEOUT = Setting.duration("crews.shellTimeout",
            "HYDRA_CREW_SHELL_TIMEOUT", "60s", "wall-clock limit of one sandboxed shell or git command; its whole process tree is killed then");
    public static final Setting<String> WORKSPACE = Setting.text("crews.workspace", "HYDRA_CREW_WORKSPACE",
            "workspace", "host directory agents see as /workspace (relative to the work directory)");
    public static final Setting<Duration> SANDBOX_CPU = Setting.duration("crews.sandboxCpu", "HYDRA_CREW_SANDBOX_CPU",
            "60s", "CPU time each process of a sandboxed command may use (RLIMIT_CPU)");
    public static final Setting<Integer> SANDBOX_MEMORY_MB = Setting.integer("crews.sandboxMemoryMb",
            "HYDRA_CREW_SANDBOX_MEMORY_MB", 4_096, 64, 1_048_576, "address space of each process of a sandboxed "
                    + "command, in MiB (RLIMIT_AS)");
    public static final Setting<Integer> SANDBOX_PROCESSES = Setting.integer("crews.sandboxProcesses",
            "HYDRA_CREW_SANDBOX_PROCESSES", 256, 8, 65_536, "processes and threads the sandbox's user may have "
                    + "(RLIMIT_NPROC): where a fork bomb stops");
    public static final Setting<Integer> SANDBOX_FILE_SIZE_MB = Setting.integer("crews.sandboxFileSizeMb",
            "HYDRA_CREW_SANDBOX_FILE_SIZE_MB", 512, 1, 1_048_576, "largest file a sandboxed command may write, "
                    + "and the size of its private /tmp, in MiB (RLIMIT_FSIZE)");
    public static final Setting<Integer> SANDBOX_UID = Setting.integer("crews.sandboxUid", "HYDRA_CREW_SANDBOX_UID",
            65_534, 1, Integer.MAX_VALUE, "host user id (and group id) sandboxed commands run as when the tool "
                    + "executor runs as root");
    public static final Setting<Integer> SHELL_OUTPUT_LIMIT = Setting.integer("crews.shellOutputLimit",
            "HYDRA_CREW_SHELL_OUTPUT_LIMIT", 65_536, 1_024, 524_288, "bytes of a command's output kept for its "
                    + "result; the rest is dropped and the cut is marked (results travel in Kafka records)");
    public static final Setting<String> CAPABILITIES = capabilities();

    public static final Setting<String> LLM_BASE_URL = Setting.text("crews.llm.baseUrl", "HYDRA_LLM_BASE_URL",
            "http://127.0.0.1:4000/v1", "OpenAI-compatible endpoint of this worker's inference node");
    public static final Setting<String> LLM_MODEL = Setting.text("crews.llm.model", "HYDRA_LLM_MODEL",
            "claude-sonnet-4.5", "model name sent to the endpoint");
    public static final Setting<String> LLM_API_KEY = Setting.text("crews.llm.apiKey", "HYDRA_LLM_API_KEY",
            "none", "API key for the endpoint (local gateways accept any)");
    public static final Setting<Duration> LLM_TIMEOUT = Setting.duration("crews.llm.timeout", "HYDRA_LLM_TIMEOUT",
            "120s", "time limit of one model call");

    /** MCP servers the tool executor may call: a list of {name, command | url}, read by McpServers. */
    public static final String MCP_SERVERS_PATH = dev.hydra.topics.tools.McpServerConfig.PATH;
    /** The shared services list; the crews read each entry's restart command (ServiceCatalog). */
    public static final String SERVICES_PATH = KnownSettings.section("services");

    private CrewSettings() {
    }

    private static Setting<String> capabilities() {
        return new Setting<>("crews.capabilities", "HYDRA_CREW_CAPABILITIES", "-", raw -> {
            for (String part : list(raw)) {
                if (!part.matches("[A-Za-z0-9_.\\-]+")) {
                    throw new IllegalArgumentException(part);
                }
            }
            return raw;
        }, "a comma-separated list of names such as vision,large-context (- for none)",
                "capabilities of this worker's inference node");
    }

    /** Splits a comma-separated setting; {@code -} or blank means none. */
    public static List<String> list(String raw) {
        if (raw == null || raw.isBlank() || raw.trim().equals("-")) {
            return List.of();
        }
        return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
