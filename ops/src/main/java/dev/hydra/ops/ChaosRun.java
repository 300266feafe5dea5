package dev.hydra.ops;

import dev.hydra.topics.EventProducer;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the crash and restart suite. Every service runs in its own JVM (a {@link ChildJvm})
 * against a broker in its own JVM; faults are kill -9. The checks at the end read the topics and the
 * side-effect log directly, as an independent observer, not through any service's own state.
 */
final class ChaosRun {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);
    private static final String READY = "running; health and metrics on";
    /** Each task sleeps this long inside its side effect, so that a kill lands mid-task. */
    private static final int TASK_MILLIS = 50;

    record Plan(int tasks, int hostile, int ratePerSecond, Duration drainTimeout, Path constitution) {
    }

    record Check(String name, boolean passed, String detail) {
    }

    record Report(List<Check> checks, List<String> faults) {
        boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }

        String table() {
            StringBuilder out = new StringBuilder("\nfaults injected:\n");
            faults.forEach(f -> out.append("  ").append(f).append('\n'));
            out.append(String.format("%n%-58s %-6s %s%n", "check", "result", "detail"));
            checks.forEach(c -> out.append(String.format("%-58s %-6s %s%n", c.name(), c.passed() ? "PASS" : "FAIL", c.detail())));
            out.append(passed() ? "chaos: all checks passed\n" : "chaos: FAILED\n");
            return out.toString();
        }
    }

    private final Plan plan;
    private final PrintWriter out;
    private final List<String> faults = new ArrayList<>();
    private final Map<String, ChildJvm> services = new LinkedHashMap<>();
    private final Map<String, String[]> commands = new HashMap<>();
    private Path dir;
    private int port;
    private ChildJvm broker;
    private Map<String, String> env;
    private volatile boolean faultsDone;

    ChaosRun(Plan plan, PrintWriter out) {
        this.plan = plan;
        this.out = out;
    }

    Report run(boolean keep) throws Exception {
        dir = Files.createTempDirectory("hydra-chaos");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("hydra.yaml");
        Files.writeString(config, "kafka:\n  bootstrap: 127.0.0.1:" + port + "\n");
        env = Map.of("HYDRA_CONSTITUTION", plan.constitution().toString(), "HYDRA_DATA_DIR", dir.resolve("data").toString(),
                "HYDRA_MEMORY_CHANGE_CAPTURE", "false", "HYDRA_MEMORY_ARCHIVAL", "false", "HYDRA_CONFIG", config.toString());
        Properties client = KafkaSettings.client("127.0.0.1:" + port);
        Path work = dir.resolve("data").resolve("work").resolve(Crew.RESEARCH.wireName());
        try {
            startBroker();
            try (Admin admin = Admin.create(client)) {
                new TopicBootstrap(admin, (short) 1).ensure(Topics.all());
            }
            // Both crew members share one work directory (one node, or a shared volume): its step
            // journal is what keeps a redelivered task from repeating its side effect.
            define("constitution", "service", "constitution");
            define("router", "service", "router");
            define("crew-a", "crew", "--crew", "research", "--node", "chaos", "--data-dir", dir.resolve("data").toString());
            define("crew-b", "crew", "--crew", "research", "--node", "chaos", "--data-dir", dir.resolve("data").toString());
            define("memory", "service", "memory");
            for (String name : commands.keySet()) {
                start(name);
            }
            for (ChildJvm service : services.values()) {
                service.awaitReady(Duration.ofMinutes(3));
            }
            out.println("chaos: broker and " + services.size() + " services up, each in its own JVM; load starts");
            out.flush();

            Set<String> taskIds = ConcurrentHashMap.newKeySet();
            Set<String> hostileKeys = ConcurrentHashMap.newKeySet();
            Thread load = new Thread(() -> load(client, taskIds, hostileKeys), "chaos-load");
            load.start();
            // One fault after another while the load runs; the load goes on until the last has healed.
            List<Runnable> schedule = List.of(() -> killAndRestart("constitution"), () -> killAndRestart("router"),
                    () -> killAndRestart("crew-a"), () -> killAndRestart("memory"), this::restartBroker);
            for (Runnable fault : schedule) {
                Thread.sleep(3_000);
                fault.run();
            }
            faultsDone = true;
            load.join();
            out.println("chaos: load done (" + taskIds.size() + " tasks, " + hostileKeys.size() + " hostile events); draining");
            out.flush();
            ChaosChecks checks = new ChaosChecks(client, work.resolve("effects.log"));
            checks.awaitTerminal(taskIds, plan.drainTimeout());
            List<Check> results = checks.verify(taskIds, hostileKeys);
            return new Report(results, faults);
        } finally {
            services.values().forEach(ChildJvm::close);
            if (broker != null) {
                broker.close();
            }
            if (keep) {
                out.println("chaos: logs kept in " + dir);
            } else {
                deleteQuietly(dir);
            }
        }
    }

    private void define(String name, String... args) {
        commands.put(name, args);
    }

    private void start(String name) {
        try {
            services.put(name, ChildJvm.start(name, dir.resolve(name + ".log"), READY, List.of("-Xmx512m"), env,
                    withHttpPort(commands.get(name))));
        } catch (Exception e) {
            throw new IllegalStateException("could not start " + name, e);
        }
    }

    private static String[] withHttpPort(String[] args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--http-port";
        all[args.length + 1] = "0";
        return all;
    }

    private void killAndRestart(String name) {
        try {
            ChildJvm victim = services.get(name);
            victim.kill();
            faults.add(Instant.now() + " kill -9 " + name + " (pid " + victim.pid() + ")");
            start(name);
            services.get(name).awaitReady(Duration.ofMinutes(3));
            faults.add(Instant.now() + " " + name + " restarted");
            out.println("chaos: killed and restarted " + name);
            out.flush();
        } catch (Exception e) {
            throw new IllegalStateException("fault on " + name + " failed", e);
        }
    }

    private void startBroker() throws Exception {
        broker = ChildJvm.start("broker", dir.resolve("broker.log"), "broker ready on", List.of("-Xmx1g"),
                "broker", "--port", Integer.toString(port), "--data-dir", dir.resolve("broker").toString());
        broker.awaitReady(Duration.ofMinutes(2));
    }

    private void restartBroker() {
        try {
            broker.kill();
            faults.add(Instant.now() + " kill -9 broker (pid " + broker.pid() + ")");
            startBroker();
            faults.add(Instant.now() + " broker restarted on the same data directory");
            out.println("chaos: killed and restarted the broker");
            out.flush();
        } catch (Exception e) {
            throw new IllegalStateException("broker restart failed", e);
        }
    }

    /** Steady load: no-op tasks with one side effect each, hostile events spread among them. */
    private void load(Properties client, Set<String> taskIds, Set<String> hostileKeys) {
        Properties raw = new Properties();
        raw.putAll(client);
        raw.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        raw.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Random random = new Random(42);
        String run = Long.toString(System.currentTimeMillis(), 36);
        try (EventProducer producer = new EventProducer(client, "chaos-load");
             KafkaProducer<String, byte[]> hostile = new KafkaProducer<>(raw, new StringSerializer(), new ByteArraySerializer())) {
            int hostileSent = 0;
            long start = System.nanoTime();
            for (int i = 0; i < plan.tasks() || !faultsDone; i++) {
                long due = start + (long) (i * 1e9 / plan.ratePerSecond());
                while (System.nanoTime() < due) {
                    Thread.sleep(1);
                }
                Task task = new Task("chaos-" + run + "-" + i, "chaos", 3, 0, "chaos no-op", Crew.RESEARCH,
                        Map.of("action", "noop", "sleepMs", TASK_MILLIS, "effect", true, "target", "chaos-" + run + "-" + i),
                        List.of(), List.of(), "hydra-chaos", null);
                producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id());
                taskIds.add(task.id());
                // Hostile events are spread evenly over the first plan.tasks() tasks.
                long hostileDue = Math.min(plan.hostile(), (long) plan.hostile() * (i + 1) / plan.tasks());
                for (; hostileSent < hostileDue; hostileSent++) {
                    String key = "hostile-" + run + "-" + hostileSent;
                    hostile.send(new ProducerRecord<>(Topics.TASKS_PROPOSED.name(), key, HostileEvents.next(random, hostileSent)));
                    hostileKeys.add(key);
                }
            }
            producer.flush();
            hostile.flush();
        } catch (Exception e) {
            LOG.error("chaos load failed", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            LOG.warn("could not delete {}", dir);
        }
    }
}
