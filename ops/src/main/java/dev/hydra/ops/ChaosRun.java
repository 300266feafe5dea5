package dev.hydra.ops;

import dev.hydra.constitution.FilterSettings;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.signing.SigningKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the crash and restart suite. Every service runs in its own JVM (a {@link ChildJvm})
 * against a broker in its own JVM; faults are kill -9. After each fault the run waits until every
 * service reports healthy and tasks proposed after the fault have come through, so a fault lands
 * on a pipeline that has recovered from the one before. The checks at the end read the topics and
 * the side-effect log directly, as an independent observer, not through any service's own state.
 */
final class ChaosRun {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);
    private static final String READY = "running; health and metrics on ";
    /** Each task sleeps this long inside its side effect. */
    private static final int TASK_MILLIS = 50;
    /**
     * For the crew kill, a few tasks at a time hold their worker this long instead. Only a few: on two
     * cores every long task is backlog that the faults after it have to wait out.
     */
    private static final int HELD_TASK_MILLIS = 1_500;
    private static final int HELD_TASKS_PER_BURST = 4;
    /** A crew member is surely inside a task's side effect once it has held the task this long. */
    private static final Duration MID_TASK = Duration.ofMillis(400);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final String RECOVERED = "the pipeline recovered from every fault";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param tasks at least this many tasks; more while faults are still being injected
     * @param progressPerFault tasks proposed after a fault that must reach a terminal state before the next fault
     * @param faultTimeout how long the pipeline may take to recover from one fault
     */
    record Plan(int tasks, int hostile, int ratePerSecond, int progressPerFault, Duration faultTimeout,
                Duration drainTimeout, Path constitution) {
    }

    record Check(String name, boolean passed, String detail) {
    }

    record Report(List<Check> checks, List<String> faults, Duration took) {
        boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }

        String table() {
            StringBuilder out = new StringBuilder("\nfaults injected:\n");
            faults.forEach(f -> out.append("  ").append(f).append('\n'));
            out.append(String.format("%n%-70s %-6s %s%n", "check", "result", "detail"));
            checks.forEach(c -> out.append(String.format("%-70s %-6s %s%n", c.name(), c.passed() ? "PASS" : "FAIL", c.detail())));
            out.append(passed() ? "chaos: all checks passed" : "chaos: FAILED").append(" (wall time ")
                    .append(seconds(took)).append(")\n");
            return out.toString();
        }
    }

    /** A wait that reached its deadline; the message says what was awaited and what was seen instead. */
    static final class Stalled extends Exception {
        Stalled(String message) {
            super(message);
        }
    }

    /** One fault: injects itself and says what it did. */
    @FunctionalInterface
    private interface Fault {
        String inject() throws Exception;
    }

    private final Plan plan;
    private final PrintWriter out;
    private final List<String> faults = new ArrayList<>();
    private final Map<String, ChildJvm> services = new LinkedHashMap<>();
    private final Map<String, String[]> commands = new HashMap<>();
    private final Map<String, URI> health = new HashMap<>();
    private final String prefix = "chaos-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    /** Tasks the load has sent so far; task {@code i} has the id {@code prefix + i}. */
    private final AtomicInteger proposed = new AtomicInteger();
    private Path dir;
    private int port;
    private ChildJvm broker;
    private Map<String, String> env;
    private ChaosChecks.StatusWatch watch;
    private ChaosChecks.Fed fed;
    private volatile boolean faultsDone;
    /** Long tasks the load is still to make, and those it made. */
    private final AtomicInteger holdBudget = new AtomicInteger();
    private final Set<String> heldTasks = ConcurrentHashMap.newKeySet();

    ChaosRun(Plan plan, PrintWriter out) {
        this.plan = plan;
        this.out = out;
    }

    Report run(boolean keep) throws Exception {
        boolean passed = false;
        long started = System.nanoTime();
        dir = Files.createTempDirectory("hydra-chaos");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("hydra.yaml");
        Files.writeString(config, "kafka:\n  bootstrap: 127.0.0.1:" + port + "\n");
        env = Map.of("HYDRA_CONSTITUTION", plan.constitution().toString(), "HYDRA_DATA_DIR", dir.resolve("data").toString(),
                "HYDRA_MEMORY_CHANGE_CAPTURE", "false", "HYDRA_MEMORY_ARCHIVAL", "false", "HYDRA_CONFIG", config.toString(),
                // The broker's generated credentials: each service finds its own principal's file there.
                KafkaSettings.CREDENTIALS_DIR.env(), dir.resolve("broker").resolve("credentials").toString());
        Path work = dir.resolve("data").resolve("work").resolve(Crew.RESEARCH.wireName());
        try {
            startBroker();
            // The suite's own load and checks run as the admin (a super user): they read and write everything.
            Properties client = KafkaSettings.client(HydraConfig.of("{}", env), "127.0.0.1:" + port, Principal.ADMIN);
            try (Admin admin = Admin.create(client)) {
                new TopicBootstrap(admin, (short) 1).ensure(Topics.all());
            }
            // Both crew members share one work directory (one node's disk, or a shared volume): its
            // step journal is what keeps a redelivered task from repeating its side effect. Their
            // node names differ so that the statuses say which member holds which task.
            // The crews start beside the filter and need its public key at once: made before anyone starts.
            SigningKeys.ensure(FilterSettings.signingKeyFile(HydraConfig.of("", env), dir.resolve("data")));
            // and every writer's key (crews, router, operator), which the services read from the same directory
            dev.hydra.topics.config.SigningSettings.ensureWriterKeys(HydraConfig.of("", env), dir.resolve("data"));
            define("constitution", "service", "constitution");
            define("router", "service", "router");
            define("crew-a", "crew", "--crew", "research", "--node", "chaos-a", "--data-dir", dir.resolve("data").toString());
            define("crew-b", "crew", "--crew", "research", "--node", "chaos-b", "--data-dir", dir.resolve("data").toString());
            define("memory", "service", "memory");
            commands.keySet().forEach(this::start);
            for (String name : commands.keySet()) {
                awaitStarted(name);
            }
            out.println("chaos: broker and " + services.size() + " services up, each in its own JVM; load starts");
            out.flush();

            Check recovered;
            try (ChaosChecks.StatusWatch statuses = new ChaosChecks.StatusWatch(client, prefix)) {
                watch = statuses;
                Thread load = new Thread(() -> load(client), "chaos-load");
                load.start();
                recovered = injectFaults();
                faultsDone = true;
                load.join();
                out.println("chaos: load done (" + fed.tasks().size() + " tasks, " + fed.hostile().size()
                        + " hostile events); draining");
                out.flush();
                drain();
            }
            List<Check> results = new ArrayList<>(List.of(recovered));
            results.addAll(new ChaosChecks(client, work.resolve("effects.log")).verify(fed));
            Report report = new Report(results, faults, Duration.ofNanos(System.nanoTime() - started));
            passed = report.passed();
            return report;
        } finally {
            services.values().forEach(ChildJvm::close);
            if (broker != null) {
                broker.close();
            }
            // A failed run's logs are what explains it: they stay.
            if (keep || !passed) {
                out.println("chaos: logs kept in " + dir);
                LOG.info("chaos: logs kept in {}", dir);
            } else {
                deleteQuietly(dir);
            }
        }
    }

    /**
     * Each fault in turn, each on a pipeline that has recovered from the one before: every service
     * healthy, and tasks proposed after the fault through to a terminal state.
     */
    private Check injectFaults() throws InterruptedException {
        Map<String, Fault> schedule = new LinkedHashMap<>();
        schedule.put("kill -9 constitution", () -> killAndRestart("constitution", ""));
        schedule.put("kill -9 router", () -> killAndRestart("router", ""));
        schedule.put("kill -9 crew-a mid-task", this::killCrewMidTask);
        schedule.put("kill -9 memory", () -> killAndRestart("memory", ""));
        schedule.put("broker restart", this::restartBroker);
        String name = "the pipeline's first tasks";
        Duration slowest = Duration.ZERO;
        String slowestName = "";
        try {
            awaitProgress(name, 0);
            for (var fault : schedule.entrySet()) {
                name = fault.getKey();
                long at = System.nanoTime();
                String what = fault.getValue().inject();
                awaitHealthy(name);
                Duration healthy = since(at);
                Duration progressed = awaitProgress(name, proposed.get());
                Duration took = since(at);
                faults.add(what + "; all healthy after " + seconds(healthy) + ", " + plan.progressPerFault()
                        + " tasks proposed after that terminal " + seconds(progressed) + " later");
                out.println("chaos: " + name + " done, recovered in " + seconds(took));
                out.flush();
                if (took.compareTo(slowest) > 0) {
                    slowest = took;
                    slowestName = name;
                }
            }
            return new Check(RECOVERED, true, schedule.size() + " faults, each within " + seconds(plan.faultTimeout())
                    + "; slowest: " + slowestName + ", " + seconds(slowest));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // The remaining faults are not injected; the load ends, and the checks show the damage.
            LOG.error("chaos: {} failed", name, e);
            faults.add(now() + " " + name + " FAILED: " + e.getMessage());
            return new Check(RECOVERED, false, name + ": " + e.getMessage());
        }
    }

    private void define(String name, String... args) {
        commands.put(name, args);
    }

    private void start(String name) {
        try {
            services.put(name, ChildJvm.start(name, dir.resolve(name + ".log"), READY, List.of("-Xmx512m"), env,
                    withHttpPort(commands.get(name))));
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name, e);
        }
    }

    /** Waits for the service's ready line, which names the port of its /health. */
    private void awaitStarted(String name) throws Exception {
        String line = services.get(name).awaitReady(START_TIMEOUT);
        health.put(name, URI.create(line.substring(line.indexOf(READY) + READY.length()).trim() + "/health"));
    }

    private static String[] withHttpPort(String[] args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--http-port";
        all[args.length + 1] = "0";
        return all;
    }

    private String killAndRestart(String name, String detail) throws Exception {
        ChildJvm victim = services.get(name);
        victim.kill();
        String what = now() + " kill -9 " + name + " (pid " + victim.pid() + ")" + detail;
        start(name);
        awaitStarted(name);
        out.println("chaos: killed and restarted " + name);
        out.flush();
        return what;
    }

    /**
     * Kills crew-a while it is inside a task's side effect: the load makes a burst of long tasks, and
     * the kill comes when the status watch shows crew-a {@link #MID_TASK} into one of them. A burst that
     * went entirely to crew-b is followed by another.
     */
    private String killCrewMidTask() throws Exception {
        holdBudget.set(HELD_TASKS_PER_BURST);
        ChaosChecks.StatusWatch.Claim claim;
        try {
            claim = await("crew-a (node chaos-a) to be " + MID_TASK.toMillis() + " ms into a long task", plan.faultTimeout(),
                    () -> {
                        Optional<ChaosChecks.StatusWatch.Claim> held = watch.holding("chaos-a", heldTasks::contains, MID_TASK);
                        if (held.isEmpty() && holdBudget.get() == 0 && watch.open(heldTasks).isEmpty()) {
                            holdBudget.set(HELD_TASKS_PER_BURST);
                        }
                        return held;
                    },
                    () -> heldTasks.size() + " long tasks made, " + watch.open(heldTasks).size() + " of them open");
        } finally {
            holdBudget.set(0);
        }
        return killAndRestart("crew-a", " " + Duration.between(claim.at(), Instant.now()).toMillis() + " ms into task "
                + claim.taskId() + " attempt " + claim.attempt());
    }

    private void startBroker() throws Exception {
        broker = ChildJvm.start("broker", dir.resolve("broker.log"), "broker ready on", List.of("-Xmx1g"),
                "broker", "--kafka-port", Integer.toString(port), "--data-dir", dir.resolve("broker").toString());
        broker.awaitReady(Duration.ofMinutes(2));
    }

    private String restartBroker() throws Exception {
        broker.kill();
        String what = now() + " kill -9 broker (pid " + broker.pid() + "), restarted on the same data directory";
        startBroker();
        out.println("chaos: killed and restarted the broker");
        out.flush();
        return what;
    }

    private void awaitHealthy(String after) throws Stalled, InterruptedException {
        awaitTrue("every service healthy after " + after, plan.faultTimeout(),
                () -> services.keySet().stream().allMatch(this::healthy),
                () -> "unhealthy: " + services.keySet().stream().filter(n -> !healthy(n)).toList());
    }

    private boolean healthy(String name) {
        try {
            HttpRequest request = HttpRequest.newBuilder(health.get(name)).timeout(Duration.ofSeconds(2)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until {@link Plan#progressPerFault} tasks numbered {@code from} or later reached a terminal state. */
    private Duration awaitProgress(String after, int from) throws Stalled, InterruptedException {
        long at = System.nanoTime();
        awaitTrue(plan.progressPerFault() + " tasks proposed after " + after + " (" + prefix + from
                        + " on) to reach a terminal state", plan.faultTimeout(),
                () -> watch.terminalFrom(from) >= plan.progressPerFault(),
                () -> watch.terminalFrom(from) + " did, of " + (proposed.get() - from) + " proposed since");
        return since(at);
    }

    /** Waits until every task the broker acknowledged has a terminal state; the checks say what is missing. */
    private void drain() throws InterruptedException {
        long at = System.nanoTime();
        try {
            awaitTrue("every task to reach a terminal state", plan.drainTimeout(),
                    () -> watch.open(fed.tasks().keySet()).isEmpty(),
                    () -> {
                        List<String> open = watch.open(fed.tasks().keySet());
                        return open.size() + " still open: " + ChaosChecks.examples(open);
                    });
            out.println("chaos: drained in " + seconds(since(at)) + "; checking");
        } catch (Stalled e) {
            out.println("chaos: " + e.getMessage() + "; checking what there is");
        }
        out.flush();
    }

    /** Polls {@code probe} every {@link #POLL} until it has a value, or throws {@link Stalled} at the deadline. */
    private static <T> T await(String what, Duration timeout, Supplier<Optional<T>> probe, Supplier<String> seen)
            throws Stalled, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new Stalled("waited " + seconds(timeout) + " for " + what + " in vain: " + seen.get());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static void awaitTrue(String what, Duration timeout, BooleanSupplier holds, Supplier<String> seen)
            throws Stalled, InterruptedException {
        await(what, timeout, () -> holds.getAsBoolean() ? Optional.of(true) : Optional.empty(), seen);
    }

    /**
     * Steady load: no-op tasks with one side effect each, and hostile events spread evenly among the
     * first {@link Plan#tasks}. Records what the broker acknowledged in {@link #fed}.
     */
    private void load(Properties client) {
        Properties props = new Properties();
        props.putAll(client);
        // A broker restart is one of the faults: sends wait it out in a large buffer instead of failing.
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofMinutes(5).toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(5).toMillis());
        Random random = new Random(42);
        Map<String, Task> tasks = new LinkedHashMap<>();
        Map<String, ChaosChecks.Hostile> hostile = new LinkedHashMap<>();
        Map<String, String> pathological = new LinkedHashMap<>();
        Map<String, Future<RecordMetadata>> acks = new LinkedHashMap<>();
        // The pathological calls are the operator's (the harness plays a person sending them): signed with its
        // key, so the constitution judges each of them, which is what the check counts.
        var operator = dev.hydra.topics.config.SigningSettings.writerSigner(HydraConfig.of("", env), dir.resolve("data"),
                dev.hydra.topics.signing.WriterSignature.OPERATOR);
        try (EventProducer producer = new EventProducer(props, "chaos-load")) {
            int hostileSent = 0;
            int pathologicalSent = 0;
            int pathologicalTotal = plan.hostile() == 0 ? 0 : HostileEvents.pathologicalCount();
            long start = System.nanoTime();
            for (int i = 0; i < plan.tasks() || !faultsDone; i++) {
                long wait = start + (long) (i * 1e9 / plan.ratePerSecond()) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String id = prefix + i;
                boolean held = holdBudget.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                if (held) {
                    heldTasks.add(id);
                }
                Task task = new Task(id, "chaos", 3, 0, "chaos no-op", Crew.RESEARCH,
                        Map.of("action", "noop", "sleepMs", held ? HELD_TASK_MILLIS : TASK_MILLIS, "effect", true,
                                "target", id), List.of(), List.of(), "hydra-chaos", null);
                acks.put(id, producer.send(Topics.TASKS_PROPOSED, id, task, id));
                tasks.put(id, task);
                proposed.set(i + 1);
                long hostileDue = Math.min(plan.hostile(), (long) plan.hostile() * (i + 1) / plan.tasks());
                for (; hostileSent < hostileDue; hostileSent++) {
                    String key = "hostile-" + prefix + hostileSent;
                    HostileEvents.Event event = HostileEvents.next(random, hostileSent, key);
                    acks.put(key, producer.sendRaw(new ProducerRecord<>(event.topic().name(), null,
                            key.getBytes(StandardCharsets.UTF_8), event.value())));
                    hostile.put(key, ChaosChecks.Hostile.of(event));
                }
                // every pathological tool call once, spread over the load like the hostile events
                long pathologicalDue = (long) pathologicalTotal * (i + 1) / Math.max(1, plan.tasks());
                for (; pathologicalSent < Math.min(pathologicalTotal, pathologicalDue); pathologicalSent++) {
                    String key = "pathological-" + prefix + pathologicalSent;
                    HostileEvents.Pathological call = HostileEvents.pathological(pathologicalSent, key);
                    var signed = operator.signed(new org.apache.kafka.common.header.internals.RecordHeaders(),
                            Topics.TOOLCALLS_REQUESTED.name(), key, Topics.TOOLCALLS_REQUESTED.valueSerde()
                                    .deserialize(Topics.TOOLCALLS_REQUESTED.name(), call.value()));
                    acks.put(key, producer.sendRaw(new ProducerRecord<>(Topics.TOOLCALLS_REQUESTED.name(), null,
                            key.getBytes(StandardCharsets.UTF_8), call.value(), signed)));
                    pathological.put(key, call.name());
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("chaos load failed after {} tasks", proposed.get(), e);
        }
        int refused = 0;
        String firstRefusal = null;
        for (var ack : acks.entrySet()) {
            try {
                ack.getValue().get();
            } catch (ExecutionException | InterruptedException e) {
                refused++;
                tasks.remove(ack.getKey());
                hostile.remove(ack.getKey());
                pathological.remove(ack.getKey());
                firstRefusal = firstRefusal != null ? firstRefusal : ack.getKey() + ": " + e.getMessage();
            }
        }
        fed = new ChaosChecks.Fed(tasks, hostile, pathological, refused, firstRefusal);
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    private static String seconds(Duration duration) {
        long s = duration.toSeconds();
        return s >= 120 ? s / 60 + " min " + s % 60 + " s" : String.format("%.1f s", duration.toMillis() / 1000.0);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}", dir);
        }
    }
}
