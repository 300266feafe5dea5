package dev.hydra.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.constitution.ConstitutionFilter;
import dev.hydra.router.TaskRouter;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Json;
import dev.hydra.topics.Service;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import dev.hydra.topics.events.TaskStatus;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hydra bench}: measures Hydra against a baseline taken in the same run on the same broker,
 * which runs in its own JVM so that it does not compete with the code under test. Prints one table
 * and, with --json, writes the figures for comparison with the next run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks: raw producer->consumer baseline, the pipeline (proposed -> constitution -> router",
                "-> claimed by a crew, no-op executor) at several offered rates, P1 claim latency behind a P4",
                "backlog, and constitution checks per second (JMH). The broker runs in a child JVM."})
final class BenchCommand implements Callable<Integer> {
    /** Bench-only topic for the raw baseline; not part of the catalog. */
    private static final String RAW_TOPIC = "hydra.bench.raw";
    private static final int VALUE_BYTES = 1024;

    @Option(names = "--quick", description = "small counts and short runs (a smoke test of the harness, ~2 minutes)")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Option(names = "--backlog", description = "P4 tasks queued for the priority test (default: 100000; --quick: 5000)")
    Integer backlog;

    @Option(names = "--constitution", paramLabel = "PATH", defaultValue = "${env:HYDRA_CONSTITUTION:-config/constitution.yaml}",
            description = "constitution for the pipeline and the check benchmark (default: ${DEFAULT-VALUE})")
    Path constitution;

    @Spec
    CommandSpec spec;

    private final ObjectNode results = Json.MAPPER.createObjectNode();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("hydra-bench");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        results.put("startedAt", Instant.now().toString()).put("quick", quick);
        try (ChildJvm broker = ChildJvm.start("broker", dir.resolve("broker.log"), "broker ready on",
                List.of("-Xmx1g"), "broker", "--port", Integer.toString(port), "--data-dir", dir.toString())) {
            broker.awaitReady(Duration.ofMinutes(2));
            String bootstrap = "127.0.0.1:" + port;
            Properties client = KafkaSettings.client(bootstrap);
            try (Admin admin = Admin.create(client)) {
                new TopicBootstrap(admin, (short) 1).ensure(Topics.all());
                admin.createTopics(List.of(new NewTopic(RAW_TOPIC, Topics.TASKS_PROPOSED.partitions(), (short) 1))).all().get();
            }
            out.println("broker in its own JVM (pid " + broker.pid() + ") on " + bootstrap);
            out.flush();
            baseline(client, quick ? 20_000 : 200_000, out);
            pipeline(client, dir, out);
        }
        constitutionChecks(out);
        printTable(out);
        if (json != null) {
            Files.writeString(json, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results));
            out.println("results written to " + json);
        }
        return 0;
    }

    /** Raw producer -> consumer of 1 KB values: the ceiling the pipeline is compared with. */
    private void baseline(Properties client, int count, PrintWriter out) throws Exception {
        Latencies latencies = new Latencies();
        byte[] value = new byte[VALUE_BYTES];
        Properties consumerProps = consumerProps(client);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(client), new StringSerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(RAW_TOPIC));
            awaitAssignment(consumer);
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(RAW_TOPIC, Integer.toString(i), value));
            }
            producer.flush();
            int received = 0;
            while (received < count) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    latencies.add(System.currentTimeMillis() - record.timestamp());
                    received++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            ObjectNode node = results.putObject("baseline");
            node.put("messages", count).put("perSecond", count / seconds)
                    .put("p50Ms", latencies.percentile(0.5)).put("p99Ms", latencies.percentile(0.99));
        }
        out.printf("baseline done: %.0f msg/s%n", results.path("baseline").path("perSecond").asDouble());
        out.flush();
    }

    /** Proposed -> constitution -> router -> claimed, with the services in this JVM. */
    private void pipeline(Properties client, Path dir, PrintWriter out) throws Exception {
        HydraConfig config = HydraConfig.of("kafka:\n  bootstrap: " + client.getProperty("bootstrap.servers") + "\n",
                Map.of("HYDRA_CONSTITUTION", constitution.toAbsolutePath().toString()));
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> claimedAt = new ConcurrentHashMap<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> watchClaims(client, claimedAt, watching), "bench-claims");
        List<Service> services = new ArrayList<>();
        try (EventProducer producer = new EventProducer(client, "hydra-bench")) {
            services.add(new ConstitutionFilter(config, client, dir.resolve("state")));
            services.add(new TaskRouter(config, client, dir.resolve("state")));
            services.add(CrewServices.worker(config, client, Crew.RESEARCH, "bench", dir, CrewServices.redactor(config)));
            for (Service service : services) {
                service.start();
            }
            watcher.start();
            String run = UUID.randomUUID().toString().substring(0, 8);

            // Warm up, then saturation: as many tasks as fast as possible.
            send(producer, run + "-warm", quick ? 200 : 1_000, 4, 0, sentAt);
            awaitClaims(sentAt, claimedAt, Duration.ofMinutes(5));
            sentAt.clear();
            int burst = quick ? 1_000 : 10_000;
            long start = System.nanoTime();
            send(producer, run + "-sat", burst, 4, 0, sentAt);
            awaitClaims(sentAt, claimedAt, Duration.ofMinutes(10));
            double saturation = burst / ((System.nanoTime() - start) / 1e9);
            results.putObject("pipelineSaturation").put("tasks", burst).put("perSecond", saturation)
                    .put("ratioToBaseline", saturation / results.path("baseline").path("perSecond").asDouble());
            out.printf("pipeline saturation: %.0f tasks/s%n", saturation);
            out.flush();

            // Offered rates below saturation: latency proposed -> claimed.
            var rates = results.putArray("pipelineRates");
            for (double fraction : new double[] {0.25, 0.5, 0.75}) {
                sentAt.clear();
                double rate = Math.max(1, saturation * fraction);
                int count = (int) Math.max(50, rate * (quick ? 5 : 15));
                send(producer, run + "-r" + (int) (fraction * 100), count, 4, rate, sentAt);
                awaitClaims(sentAt, claimedAt, Duration.ofMinutes(10));
                Latencies latencies = latencies(sentAt, claimedAt);
                rates.addObject().put("fractionOfSaturation", fraction).put("offeredPerSecond", rate).put("tasks", count)
                        .put("p50Ms", latencies.percentile(0.5)).put("p99Ms", latencies.percentile(0.99))
                        .put("p999Ms", latencies.percentile(0.999));
                out.printf("pipeline at %.0f tasks/s: p99 %.0f ms%n", rate, latencies.percentile(0.99));
                out.flush();
            }

            // Priority: P1 tasks while a P4 backlog waits in the crew's lane.
            int p4 = backlog != null ? backlog : quick ? 5_000 : 100_000;
            sentAt.clear();
            for (int i = 0; i < p4; i++) {
                Task task = noop(run + "-p4-" + i, 4);
                producer.send(Topics.crewLane(Crew.RESEARCH, 4), task.id(), task, task.id());
            }
            producer.flush();
            Map<String, Long> p1Sent = new ConcurrentHashMap<>();
            int p1Count = quick ? 20 : 50;
            send(producer, run + "-p1", p1Count, 1, 5, p1Sent);
            awaitClaims(p1Sent, claimedAt, Duration.ofMinutes(5));
            Latencies p1 = latencies(p1Sent, claimedAt);
            long p4Claimed = claimedAt.keySet().stream().filter(id -> id.startsWith(run + "-p4-")).count();
            results.putObject("priority").put("p4Backlog", p4).put("p1Tasks", p1Count)
                    .put("p1P50Ms", p1.percentile(0.5)).put("p1P99Ms", p1.percentile(0.99))
                    .put("p4ClaimedMeanwhile", p4Claimed);
            out.printf("P1 behind %d P4: p99 %.0f ms (%d P4 claimed meanwhile)%n", p4, p1.percentile(0.99), p4Claimed);
            out.flush();
        } finally {
            watching.set(false);
            for (Service service : services) {
                service.close();
            }
            watcher.join(10_000);
        }
    }

    private static Task noop(String id, int priority) {
        return new Task(id, "benchmark", priority, 0, "benchmark no-op", Crew.RESEARCH,
                Map.of("action", "noop", "target", id), List.of(), List.of(), "hydra-bench", Instant.now());
    }

    /** Sends {@code count} no-op tasks to hydra.tasks.proposed, paced at {@code rate} per second (0 = unpaced). */
    private static void send(EventProducer producer, String prefix, int count, int priority, double rate,
                             Map<String, Long> sentAt) {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (rate > 0) {
                // Parked, not spun: on two cores a spinning sender takes the core the pipeline needs.
                long due = start + (long) (i * 1e9 / rate);
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
            }
            Task task = noop(prefix + "-" + i, priority);
            sentAt.put(task.id(), System.currentTimeMillis());
            producer.send(Topics.TASKS_PROPOSED, task.id(), task, task.id());
        }
        producer.flush();
    }

    private static void watchClaims(Properties client, Map<String, Long> claimedAt, AtomicBoolean watching) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(client), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.TASK_STATUS.name()));
            while (watching.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    TaskStatus status = Topics.TASK_STATUS.valueSerde().deserialize(record.topic(), record.value());
                    if (status.state() == TaskState.CLAIMED) {
                        claimedAt.putIfAbsent(status.taskId(), record.timestamp());
                    }
                }
            }
        }
    }

    private static void awaitClaims(Map<String, Long> sentAt, Map<String, Long> claimedAt, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!claimedAt.keySet().containsAll(sentAt.keySet())) {
            if (Instant.now().isAfter(deadline)) {
                long missing = sentAt.keySet().stream().filter(id -> !claimedAt.containsKey(id)).count();
                throw new IllegalStateException(missing + " of " + sentAt.size() + " tasks were not claimed within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    private static Latencies latencies(Map<String, Long> sentAt, Map<String, Long> claimedAt) {
        Latencies latencies = new Latencies();
        sentAt.forEach((id, sent) -> latencies.add(claimedAt.get(id) - sent));
        return latencies;
    }

    /** JMH: constitution checks per second, one thread, full rule set. */
    private void constitutionChecks(PrintWriter out) throws Exception {
        var options = new OptionsBuilder().include(ConstitutionBenchmark.class.getName())
                .param("constitutionFile", constitution.toAbsolutePath().toString())
                .forks(1).warmupIterations(quick ? 1 : 3).measurementIterations(quick ? 2 : 5)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2)).measurementTime(TimeValue.seconds(quick ? 1 : 3))
                .threads(1).build();
        RunResult result = new Runner(options).runSingle();
        double perSecond = result.getPrimaryResult().getScore();
        results.putObject("constitution").put("checksPerSecond", perSecond)
                .put("error", result.getPrimaryResult().getScoreError());
        out.printf("constitution: %.0f checks/s%n", perSecond);
    }

    private void printTable(PrintWriter out) {
        var b = results.path("baseline");
        var s = results.path("pipelineSaturation");
        out.println();
        out.printf("%-52s %14s %10s %10s %10s%n", "measurement", "per second", "p50 ms", "p99 ms", "p99.9 ms");
        out.printf("%-52s %14.0f %10.0f %10.0f %10s%n", "baseline: raw 1 KB producer -> consumer", b.path("perSecond").asDouble(),
                b.path("p50Ms").asDouble(), b.path("p99Ms").asDouble(), "");
        out.printf("%-52s %14.0f %10s %10s %10s   ratio to baseline %.3f%n", "pipeline saturation (proposed -> claimed)",
                s.path("perSecond").asDouble(), "", "", "", s.path("ratioToBaseline").asDouble());
        for (var r : results.path("pipelineRates")) {
            out.printf("%-52s %14.0f %10.0f %10.0f %10.0f%n",
                    "pipeline at " + Math.round(r.path("fractionOfSaturation").asDouble() * 100) + "% of saturation",
                    r.path("offeredPerSecond").asDouble(), r.path("p50Ms").asDouble(), r.path("p99Ms").asDouble(),
                    r.path("p999Ms").asDouble());
        }
        var p = results.path("priority");
        out.printf("%-52s %14s %10.0f %10.0f %10s%n", "P1 claim behind " + p.path("p4Backlog").asInt() + " queued P4", "",
                p.path("p1P50Ms").asDouble(), p.path("p1P99Ms").asDouble(), "");
        out.printf("%-52s %14.0f%n", "constitution checks (JMH, 1 thread, 1 KB tool calls)",
                results.path("constitution").path("checksPerSecond").asDouble());
        out.flush();
    }

    private static Properties consumerProps(Properties client) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "hydra-bench-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    private static Properties producerProps(Properties client) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    private static void awaitAssignment(KafkaConsumer<String, byte[]> consumer) {
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100));
        }
    }
}
