package dev.hydra.ops;

import dev.hydra.constitution.FilterSettings;
import dev.hydra.router.RouterSettings;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Topic;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.config.StreamsSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.signing.SigningKeys;
import dev.hydra.topics.signing.WriterSignature;
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
import java.util.TreeMap;
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
    /** A cluster of three KRaft nodes, each broker and controller: losing one keeps the quorum's majority. */
    static final int CLUSTER_NODES = 3;
    private static final KafkaSettings.Replication CLUSTER_REPLICATION = new KafkaSettings.Replication(3, 2);
    /** The Streams applications that run twice in a cluster run, by service name. */
    private static final Map<String, String> STREAMS_APPS = Map.of("constitution", FilterSettings.APPLICATION_ID,
            "router", RouterSettings.APPLICATION_ID.defaultValue());
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param tasks at least this many tasks; more while faults are still being injected
     * @param progressPerFault tasks proposed after a fault that must reach a terminal state before the next fault
     * @param faultTimeout how long the pipeline may take to recover from one fault
     */
    record Plan(int tasks, int hostile, int ratePerSecond, int progressPerFault, Duration faultTimeout,
                Duration drainTimeout, Path constitution, int brokers) {
        /** The suite on one broker, killed and restarted once. */
        Plan(int tasks, int hostile, int ratePerSecond, int progressPerFault, Duration faultTimeout,
             Duration drainTimeout, Path constitution) {
            this(tasks, hostile, ratePerSecond, progressPerFault, faultTimeout, drainTimeout, constitution, 1);
        }

        Plan {
            if (brokers != 1 && brokers != CLUSTER_NODES) {
                throw new IllegalArgumentException("--brokers must be 1 or " + CLUSTER_NODES + ", was " + brokers);
            }
        }

        /**
         * Three nodes: replication factor 3 and min.insync.replicas 2, two instances of each Streams
         * application, and a broker lost for good instead of restarted.
         */
        boolean cluster() {
            return brokers > 1;
        }
    }

    record Check(String name, boolean passed, String detail) {
    }

    /**
     * How one fault was survived: {@code firstNew}, from the fault until the first task proposed after it
     * ended (the constitution, the router and a crew all worked again); {@code longestGap}, the longest
     * no task at all ended from the fault on (tasks routed before it may still end meanwhile).
     */
    record Recovery(Duration firstNew, Duration longestGap) {
    }

    record Report(List<Check> checks, List<String> faults, Map<String, Recovery> recoveries, Duration took) {
        boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }

        String table() {
            StringBuilder out = new StringBuilder("\nfaults injected:\n");
            faults.forEach(f -> out.append("  ").append(f).append('\n'));
            out.append(String.format("%nrecovery per fault%n  %-50s %-28s %s%n", "fault", "first new task ended after",
                    "longest no task ended"));
            recoveries.forEach((fault, r) -> out.append(String.format("  %-50s %-28s %s%n", fault, seconds(r.firstNew()),
                    seconds(r.longestGap()))));
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
    private List<EmbeddedBroker.Node> nodes;
    /** The running brokers by node id; a node lost for good is no longer here. */
    private final Map<Integer, ChildJvm> brokers = new LinkedHashMap<>();
    /** Per service: environment beside {@link #env} (its static membership id). */
    private final Map<String, Map<String, String>> serviceEnv = new HashMap<>();
    private Map<String, String> env;
    private ChaosChecks.StatusWatch watch;
    private ChaosChecks.Fed fed;
    private volatile boolean faultsDone;
    /** Long tasks the load is still to make, and those it made. */
    private final AtomicInteger holdBudget = new AtomicInteger();
    /**
     * The next this many tasks are P1: those that measure a fault's recovery (sent right after it, and
     * the ones that must come through before the next fault) go ahead of the backlog the load built
     * meanwhile, so that the figure is the pipeline's recovery, not the time to drain a queue that a
     * loaded machine cannot keep up with.
     */
    private final AtomicInteger urgentBudget = new AtomicInteger();
    private final Set<String> heldTasks = ConcurrentHashMap.newKeySet();
    private final Map<String, Recovery> recoveries = new LinkedHashMap<>();
    private Properties adminClient;

    ChaosRun(Plan plan, PrintWriter out) {
        this.plan = plan;
        this.out = out;
    }

    Report run(boolean keep) throws Exception {
        boolean passed = false;
        long started = System.nanoTime();
        dir = Files.createTempDirectory("hydra-chaos");
        nodes = new ArrayList<>();
        for (int id = 1; id <= plan.brokers(); id++) {
            nodes.add(new EmbeddedBroker.Node(id, freePort(), plan.cluster() ? freePort() : 0));
        }
        String bootstrap = String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.brokerPort()).toList());
        Path config = dir.resolve("hydra.yaml");
        // What every JVM of the run reads, the brokers included: the replication is hydra.yaml's, as anywhere.
        Files.writeString(config, "kafka:\n  bootstrap: " + bootstrap + "\n" + (plan.cluster()
                ? "  replicationFactor: " + CLUSTER_REPLICATION.factor() + "\n  minInsyncReplicas: "
                + CLUSTER_REPLICATION.minInsync() + "\n" : ""));
        // The nodes of a cluster share one credentials directory (their own PLAIN password, every principal's).
        Path credentials = plan.cluster() ? dir.resolve("credentials") : dir.resolve("broker").resolve("credentials");
        Map<String, String> vars = new HashMap<>(Map.of("HYDRA_CONSTITUTION", plan.constitution().toString(),
                "HYDRA_DATA_DIR", dir.resolve("data").toString(),
                "HYDRA_MEMORY_CHANGE_CAPTURE", "false", "HYDRA_MEMORY_ARCHIVAL", "false", "HYDRA_CONFIG", config.toString(),
                // The broker's generated credentials: each service finds its own principal's file there.
                KafkaSettings.CREDENTIALS_DIR.env(), credentials.toString()));
        Path keys = dir.resolve("data").resolve("keys");
        if (plan.cluster()) {
            // Two filter instances sign with one key, whatever data directory each has.
            vars.put(FilterSettings.SIGNING_KEY.env(), keys.resolve("constitution-ed25519.key").toString());
            vars.put(SigningSettings.PUBLIC_KEYS.env(), keys.resolve("constitution-ed25519.pub").toString());
            // and every writer's keys (the crews', the router's, the operator's) are found there too
            for (String writer : WriterSignature.writers()) {
                Path key = SigningSettings.writerKeyFile(HydraConfig.of("", Map.of()), dir.resolve("data"), writer);
                vars.put(SigningSettings.WRITER_KEYS.get(writer).env(), key.toString());
                vars.put(SigningSettings.WRITER_PUBLIC_KEYS.get(writer).env(),
                        key.resolveSibling(key.getFileName().toString().replaceAll("\\.key$", ".pub")).toString());
            }
        }
        env = Map.copyOf(vars);
        HydraConfig chaosConfig = HydraConfig.load(config, env);
        Path work = dir.resolve("data").resolve("work").resolve(Crew.RESEARCH.wireName());
        try {
            if (plan.cluster()) {
                // Made once before the nodes start, which would otherwise each generate their own passwords.
                CredentialStore.ensure(credentials);
            }
            startBrokers();
            // The suite's own load and checks run as the admin (a super user): they read and write everything.
            Properties client = KafkaSettings.client(chaosConfig, bootstrap, Principal.ADMIN);
            adminClient = client;
            try (Admin admin = Admin.create(client)) {
                new TopicBootstrap(admin, KafkaSettings.Replication.of(chaosConfig)).ensure(Topics.all());
            }
            // Both crew members share one work directory (one node's disk, or a shared volume): its
            // step journal is what keeps a redelivered task from repeating its side effect. Their
            // node names differ so that the statuses say which member holds which task.
            // The crews start beside the filter and need its public key at once: made before anyone starts.
            SigningKeys.ensure(FilterSettings.signingKeyFile(HydraConfig.of("", env), dir.resolve("data")));
            // and every writer's key (crews, router, operator), which the services read from the same directory
            SigningSettings.ensureWriterKeys(HydraConfig.of("", env), dir.resolve("data"));
            if (plan.cluster()) {
                // Two instances of each Streams application, each with its own state directory and its own
                // static membership id; instance b keeps its state in a data directory of its own.
                for (String app : STREAMS_APPS.keySet().stream().sorted().toList()) {
                    for (String instance : List.of("a", "b")) {
                        String name = app + "-" + instance;
                        Path data = instance.equals("a") ? dir.resolve("data") : dir.resolve("data-" + name);
                        define(name, "service", app, "--data-dir", data.toString());
                        serviceEnv.put(name, Map.of(StreamsSettings.INSTANCE_ID.env(), "chaos-" + name));
                    }
                }
            } else {
                define("constitution", "service", "constitution");
                define("router", "service", "router");
            }
            define("crew-a", "crew", "--crew", "research", "--node", "chaos-a", "--data-dir", dir.resolve("data").toString());
            define("crew-b", "crew", "--crew", "research", "--node", "chaos-b", "--data-dir", dir.resolve("data").toString());
            define("memory", "service", "memory");
            commands.keySet().forEach(this::start);
            for (String name : commands.keySet()) {
                awaitStarted(name);
            }
            out.println("chaos: " + (plan.cluster() ? brokers.size() + " brokers" : "broker") + " and " + services.size()
                    + " services up, each in its own JVM; load starts");
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
            Report report = new Report(results, faults, recoveries, Duration.ofNanos(System.nanoTime() - started));
            passed = report.passed();
            return report;
        } finally {
            services.values().forEach(ChildJvm::close);
            brokers.values().forEach(ChildJvm::close);
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
        if (plan.cluster()) {
            schedule.put("kill -9 of the busiest broker, down for good", this::loseBusiestBroker);
            schedule.put("kill -9 of a constitution instance", () -> killBusiestInstance("constitution"));
            schedule.put("kill -9 of a router instance", () -> killBusiestInstance("router"));
            schedule.put("kill -9 crew-a mid-task", this::killCrewMidTask);
        } else {
            schedule.put("kill -9 constitution", () -> killAndRestart("constitution", ""));
            schedule.put("kill -9 router", () -> killAndRestart("router", ""));
            schedule.put("kill -9 crew-a mid-task", this::killCrewMidTask);
            schedule.put("kill -9 memory", () -> killAndRestart("memory", ""));
            schedule.put("broker restart", this::restartBroker);
        }
        String name = "the pipeline's first tasks";
        Duration slowest = Duration.ZERO;
        String slowestName = "";
        try {
            awaitProgress(name, 0);
            for (var fault : schedule.entrySet()) {
                name = fault.getKey();
                long at = System.nanoTime();
                Instant killed = Instant.now();
                int firstAfter = proposed.get();
                urgentBudget.set(plan.progressPerFault());
                String what = fault.getValue().inject();
                awaitHealthy(name);
                Duration healthy = since(at);
                int progressFrom = proposed.get();
                urgentBudget.set(plan.progressPerFault());
                Duration progressed = awaitProgress(name, progressFrom);
                Duration took = since(at);
                // The task path's stall: the longest no task ended, from the kill until the progress above.
                Duration stall = watch.longestGap(killed, Instant.now());
                // End to end: verdict, routing and a crew all had to work again for a task sent after the fault.
                Duration firstNew = watch.firstEndedFrom(firstAfter).map(t -> Duration.between(killed, t))
                        .orElse(Duration.ZERO);
                faults.add(what + "; the first task proposed after the fault ended " + seconds(firstNew)
                        + " after it, tasks ended again within " + seconds(stall) + " (longest gap between tasks ending)"
                        + ", all healthy after " + seconds(healthy) + ", " + plan.progressPerFault()
                        + " tasks proposed after that terminal " + seconds(progressed) + " later");
                recoveries.put(name, new Recovery(firstNew, stall));
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
        Map<String, String> own = new HashMap<>(env);
        own.putAll(serviceEnv.getOrDefault(name, Map.of()));
        try {
            services.put(name, ChildJvm.start(name, dir.resolve(name + ".log"), READY, List.of("-Xmx512m"), own,
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

    /** Starts every broker at once: a fresh cluster's nodes each wait for a quorum of controllers. */
    private void startBrokers() throws Exception {
        for (EmbeddedBroker.Node node : nodes) {
            startBroker(node);
        }
        for (ChildJvm broker : brokers.values()) {
            broker.awaitReady(Duration.ofMinutes(2));
        }
    }

    private void startBroker(EmbeddedBroker.Node node) throws IOException {
        if (!plan.cluster()) {
            brokers.put(node.id(), ChildJvm.start("broker", dir.resolve("broker.log"), "broker ready on", List.of("-Xmx1g"),
                    "broker", "--kafka-port", Integer.toString(node.brokerPort()), "--data-dir",
                    dir.resolve("broker").toString()));
            return;
        }
        String quorum = String.join(",", nodes.stream()
                .map(n -> n.id() + "@127.0.0.1:" + n.brokerPort() + ":" + n.controllerPort()).toList());
        // 512 MB each: three of them and the services share the machine.
        brokers.put(node.id(), ChildJvm.start("broker-" + node.id(), dir.resolve("broker-" + node.id() + ".log"),
                "broker ready on", List.of("-Xmx512m"), env, "broker", "--kafka-port", Integer.toString(node.brokerPort()),
                "--node-id", Integer.toString(node.id()), "--quorum", quorum,
                "--data-dir", dir.resolve("broker-" + node.id()).toString(), "--credentials-dir",
                env.get(KafkaSettings.CREDENTIALS_DIR.env())));
    }

    private String restartBroker() throws Exception {
        ChildJvm broker = brokers.get(1);
        broker.kill();
        String what = now() + " kill -9 broker (pid " + broker.pid() + "), restarted on the same data directory";
        startBroker(nodes.get(0));
        brokers.get(1).awaitReady(Duration.ofMinutes(2));
        out.println("chaos: killed and restarted the broker");
        out.flush();
        return what;
    }

    /**
     * kill -9 of the broker that leads the most partitions of the topics every task crosses, and it
     * stays down: the rest of the run has two of three replicas, exactly min.insync.replicas.
     */
    private String loseBusiestBroker() throws Exception {
        Map<Integer, Integer> led = new TreeMap<>();
        List<String> busiest = BUSIEST_TOPICS.stream().map(Topic::name).toList();
        try (Admin admin = Admin.create(adminClient)) {
            admin.describeTopics(busiest).allTopicNames().get(30, TimeUnit.SECONDS).values().forEach(d ->
                    d.partitions().forEach(p -> {
                        if (p.leader() != null) {
                            led.merge(p.leader().id(), 1, Integer::sum);
                        }
                    }));
        }
        int victim = led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        ChildJvm broker = brokers.remove(victim);
        broker.kill();
        String what = now() + " kill -9 broker " + victim + " (pid " + broker.pid() + "), leader of " + led.get(victim)
                + " of the " + led.values().stream().mapToInt(Integer::intValue).sum() + " partitions of " + busiest
                + " (leaders by node: " + led + "); it stays down";
        out.println("chaos: lost broker " + victim + " for good");
        out.flush();
        return what;
    }

    /**
     * kill -9 of the instance of a Streams application with the most partitions assigned (for the
     * router, the one running its coordinator), restarted at once as a supervisor would: under its
     * static membership id it gets its tasks back without a rebalance, and the other instance never stops.
     */
    private String killBusiestInstance(String app) throws Exception {
        String group = STREAMS_APPS.get(app);
        Map<String, Integer> assigned = new TreeMap<>();
        String coordinator = null;
        try (Admin admin = Admin.create(adminClient)) {
            for (var member : admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group)
                    .members()) {
                if (member.groupInstanceId().isEmpty()) {
                    continue;
                }
                String id = member.groupInstanceId().get();
                assigned.merge(id, member.assignment().topicPartitions().size(), Integer::sum);
                // The router's one coordinator partition is the part of it that stops when its instance goes.
                if (member.assignment().topicPartitions().stream().anyMatch(tp -> tp.topic().endsWith("-coordinator-repartition"))) {
                    coordinator = id;
                }
            }
        }
        String busiest = coordinator != null ? coordinator : assigned.entrySet().stream()
                .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow(() -> new IllegalStateException(group + " has no static members: " + assigned));
        // "chaos-router-a-1": the service router-a, stream thread 1
        String name = busiest.substring("chaos-".length(), busiest.lastIndexOf('-'));
        return killAndRestart(name, " (" + (coordinator != null ? "the router's coordinator and " : "")
                + assigned.get(busiest) + " partitions of " + group + " assigned to it, by member: " + assigned + ")");
    }

    private void awaitHealthy(String after) throws Stalled, InterruptedException {
        awaitTrue("every service healthy after " + after, plan.faultTimeout(),
                () -> services.keySet().stream().allMatch(this::healthy),
                () -> "unhealthy: " + services.keySet().stream().filter(n -> !healthy(n)).toList());
    }

    private boolean healthy(String name) {
        try {
            // Patient: on two cores shared by a dozen JVMs an answer can take seconds without anything being wrong.
            HttpRequest request = HttpRequest.newBuilder(health.get(name)).timeout(HEALTH_TIMEOUT).GET().build();
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
                boolean urgent = held || urgentBudget.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                Task task = new Task(id, "chaos", urgent ? Task.HIGHEST_PRIORITY : 3, 0, "chaos no-op", Crew.RESEARCH,
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

    /** The topics every task crosses; the broker leading most of their partitions is the one to lose. */
    private static final List<Topic<?>> BUSIEST_TOPICS = List.of(Topics.TASKS_PROPOSED, Topics.TASKS_APPROVED,
            Topics.TASK_STATUS, Topics.AUDIT);

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
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
