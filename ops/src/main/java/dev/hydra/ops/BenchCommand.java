package dev.hydra.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hydra.constitution.ConstitutionFilter;
import dev.hydra.constitution.FilterSettings;
import dev.hydra.crew.agent.KafkaToolGateway;
import dev.hydra.router.TaskRouter;
import dev.hydra.topics.EventHeaders;
import dev.hydra.topics.EventProducer;
import dev.hydra.topics.Json;
import dev.hydra.topics.Service;
import dev.hydra.topics.Topic;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.config.SigningSettings;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.ToolCall;
import dev.hydra.topics.events.ToolStatus;
import dev.hydra.topics.signing.VerdictSignature;
import dev.hydra.topics.signing.VerdictSigner;
import dev.hydra.topics.tools.ToolVocabulary;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
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
        header = "Measures the broker, the pipeline, P1 latency behind a backlog and the constitution.",
        description = {"Benchmarks: raw producer->consumer baseline, the pipeline (proposed -> constitution -> router -> "
                        + "claimed by a crew, no-op executor) at several offered rates, the tool-call round trip (agent "
                        + "send -> constitution -> executor -> result) paced and at saturation beside the raw hop paced "
                        + "alike, P1 claim latency behind a P4 backlog, "
                        + "and constitution checks per second (JMH). The broker runs in a child JVM."})
final class BenchCommand implements Callable<Integer> {
    /** Bench-only topic for the raw baseline; not part of the catalog. */
    private static final String RAW_TOPIC = "hydra.bench.raw";
    private static final int VALUE_BYTES = 1024;
    private static final int PACED_RATE = 1_000;

    @Option(names = "--quick", description = "small counts and short runs (a smoke test of the harness, ~2 minutes)")
    boolean quick;

    @Option(names = "--tool-calls-only", description = "only the tool-call round trip rows and their stages (~2 minutes)")
    boolean toolCallsOnly;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Option(names = "--backlog", description = "P4 tasks queued for the priority test (default: 10000, then 100000; --quick: 2000)")
    Integer backlog;

    @Option(names = "--concurrency", defaultValue = "4",
            description = "tasks the crew worker runs at once (crews.concurrency; default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--constitution", paramLabel = "PATH", defaultValue = "${env:HYDRA_CONSTITUTION:-config/constitution.yaml}",
            description = "constitution for the pipeline and the check benchmark (default: ${DEFAULT-VALUE})")
    Path constitution;

    @Spec
    CommandSpec spec;

    private final ObjectNode results = Json.MAPPER.createObjectNode();
    /** The stack's signing key: stages that start past the filter write work signed as the filter would. */
    private VerdictSigner signer;
    /** Verifiers do not check which constitution signed, so the bench names none in particular. */
    /** The constitution the stages past the filter sign for: the one in force, which the verifiers accept. */
    private String constitutionInForce;

    /**
     * A free port whose next port is free too: the broker's controller listens on the next one, and a
     * port taken there (by anything) made the broker exit before it was ready.
     */
    private static int portAndNextFree() throws IOException {
        for (int tries = 0; ; tries++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                int port = socket.getLocalPort();
                if (port < 65535) {
                    try (ServerSocket next = new ServerSocket(port + 1)) {
                        return port;
                    } catch (IOException taken) {
                        if (tries >= 50) {
                            throw taken;
                        }
                    }
                }
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("hydra-bench");
        int port = portAndNextFree();
        results.put("startedAt", Instant.now().toString()).put("quick", quick);
        try (ChildJvm broker = ChildJvm.start("broker", dir.resolve("broker.log"), "broker ready on",
                List.of("-Xmx1g"), "broker", "--kafka-port", Integer.toString(port), "--data-dir", dir.toString())) {
            broker.awaitReady(Duration.ofMinutes(2));
            String bootstrap = "127.0.0.1:" + port;
            // The broker secures itself unless HYDRA_KAFKA_EMBEDDED_AUTH=false: then it writes no credentials
            // and every client here connects without. The measuring clients are the admin (a super user);
            // the services under test are their own principals, under their ACLs.
            HydraConfig credentials = HydraConfig.of("{}", Map.of(KafkaSettings.CREDENTIALS_DIR.env(),
                    dir.resolve("credentials").toString()));
            Function<Principal, Properties> as = principal -> KafkaSettings.client(credentials, bootstrap, principal);
            Properties client = as.apply(Principal.ADMIN);
            results.put("kafkaAuth", Files.exists(dir.resolve("credentials").resolve(Principal.ADMIN.name() + ".properties")));
            try (Admin admin = Admin.create(client)) {
                new TopicBootstrap(admin, (short) 1).ensure(Topics.all());
                admin.createTopics(List.of(new NewTopic(RAW_TOPIC, Topics.TASKS_PROPOSED.partitions(), (short) 1))).all().get();
            }
            out.println("broker in its own JVM (pid " + broker.pid() + ") on " + bootstrap);
            out.flush();
            if (!toolCallsOnly) {
                baseline(client, quick ? 20_000 : 200_000, out);
            }
            pipeline(client, as, dir, out);
        }
        if (!toolCallsOnly) {
            constitutionChecks(out);
            signatures(out);
        }
        printTable(out);
        if (json != null) {
            Files.writeString(json, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results));
            out.println("results written to " + json);
        }
        return 0;
    }

    /**
     * Raw producer -> consumer of 1 KB values, the consumer reading while the producer writes: the
     * ceiling the pipeline is compared with. Then the same at a paced {@value #PACED_RATE} per second,
     * whose latency is the floor of the pipeline's (the blast's latency is mostly its own queue).
     */
    private void baseline(Properties client, int count, PrintWriter out) throws Exception {
        ObjectNode node = results.putObject("baseline");
        byte[] value = new byte[VALUE_BYTES];
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Arrivals.consumerProps(client), new StringDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(client), new StringSerializer(),
                     new ByteArraySerializer())) {
            consumer.subscribe(List.of(RAW_TOPIC));
            awaitAssignment(consumer);
            long start = System.nanoTime();
            Latencies blast = rawRun(consumer, producer, value, count, 0);
            double seconds = (System.nanoTime() - start) / 1e9;
            node.put("messages", count).put("perSecond", count / seconds)
                    .put("p50Ms", blast.percentile(0.5)).put("p99Ms", blast.percentile(0.99));
            int pacedCount = PACED_RATE * (quick ? 3 : 10);
            Latencies paced = rawRun(consumer, producer, value, pacedCount, PACED_RATE);
            node.putObject("paced").put("perSecond", PACED_RATE).put("messages", pacedCount)
                    .put("p50Ms", paced.percentile(0.5)).put("p99Ms", paced.percentile(0.99))
                    .put("p999Ms", paced.percentile(0.999));
        }
        out.printf("baseline done: %.0f msg/s%n", node.path("perSecond").asDouble());
        out.flush();
    }

    /** Sends {@code count} values (paced at {@code rate}/s, 0 = unpaced) while a thread reads them back. */
    private static Latencies rawRun(KafkaConsumer<String, byte[]> consumer, KafkaProducer<String, byte[]> producer,
                                    byte[] value, int count, int rate) throws Exception {
        Latencies latencies = new Latencies();
        Thread reader = new Thread(() -> {
            int received = 0;
            while (received < count) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    latencies.add(System.currentTimeMillis() - record.timestamp());
                    received++;
                }
            }
        }, "bench-baseline-reader");
        reader.start();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (rate > 0) {
                parkUntil(start + (long) (i * 1e9 / rate));
            }
            producer.send(new ProducerRecord<>(RAW_TOPIC, Integer.toString(i), value));
        }
        producer.flush();
        reader.join();
        return latencies;
    }

    /** Parked, not spun: on two cores a spinning sender takes the core the code under test needs. */
    private static void parkUntil(long dueNanos) {
        for (long wait = dueNanos - System.nanoTime(); wait > 0; wait = dueNanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    /**
     * Each stage alone, started one after the other (the constitution filter, then the router, then
     * a crew worker draining what queued meanwhile), then the whole pipeline: proposed -> constitution
     * -> router -> claimed, with the services in this JVM.
     */
    private void pipeline(Properties client, Function<Principal, Properties> as, Path dir, PrintWriter out)
            throws Exception {
        HydraConfig config = HydraConfig.of("kafka:\n  bootstrap: " + client.getProperty("bootstrap.servers")
                        + "\ncrews:\n  concurrency: " + concurrency + "\n",
                Map.of("HYDRA_CONSTITUTION", constitution.toAbsolutePath().toString()));
        List<Service> services = new ArrayList<>();
        List<String> lanes = Topics.crewLanes(Crew.RESEARCH).stream().map(Topic::name).toList();
        try (EventProducer producer = new EventProducer(client, "hydra-bench");
             Arrivals approved = Arrivals.of(client, List.of(Topics.TASKS_APPROVED.name()));
             Arrivals routed = Arrivals.of(client, lanes);
             Arrivals claimed = Arrivals.claims(client)) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            int stageTasks = quick ? 1_000 : 10_000;
            var stages = results.putArray("stages");

            signer = FilterSettings.signer(config, dir);
            SigningSettings.ensureWriterKeys(config, dir);
            constitutionInForce = SigningSettings.constitutionsInForce(config).now().iterator().next();
            start(services, new ConstitutionFilter(config, as.apply(Principal.CONSTITUTION), dir.resolve("state"), signer,
                    SigningSettings.writerVerifier(config, dir)));
            Map<String, Long> warm = send(producer, Topics.TASKS_PROPOSED, run + "-warm", quick ? 200 : 1_000, 4, 0);
            approved.await(warm.keySet(), Duration.ofMinutes(5));
            if (toolCallsOnly) {
                toolCalls(client, config, dir, services, out);
                return;
            }
            stage(stages, "constitution filter alone: proposed -> approved", producer, Topics.TASKS_PROPOSED,
                    run + "-filter", stageTasks, approved, out);

            start(services, new TaskRouter(config, as.apply(Principal.ROUTER), dir.resolve("state"),
                    SigningSettings.verifier(config, dir), SigningSettings.writerVerifier(config, dir),
                    SigningSettings.writerSigner(config, dir, dev.hydra.topics.signing.WriterSignature.ROUTER)));
            routed.await(warm.keySet(), Duration.ofMinutes(5));
            stage(stages, "router alone: approved -> crew lane", producer, Topics.TASKS_APPROVED, run + "-router",
                    stageTasks, routed, out);

            // Everything routed so far waits in the lanes: the worker drains it from a cold start.
            int queued = routed.size();
            long crewStart = System.nanoTime();
            start(services, CrewServices.worker(config, as.apply(Principal.crew(Crew.RESEARCH)), Crew.RESEARCH, "bench", dir,
                    CrewServices.redactor(config)));
            claimed.awaitCount(queued, Duration.ofMinutes(15));
            double crewRate = queued / ((System.nanoTime() - crewStart) / 1e9);
            stages.addObject().put("stage", "crew worker alone: lane -> claimed (concurrency " + concurrency
                    + ", from its start)").put("tasks", queued).put("perSecond", crewRate);
            out.printf("crew worker alone: %.0f tasks/s%n", crewRate);
            out.flush();

            toolCalls(client, config, dir, services, out);

            // The whole pipeline: saturation, then offered rates below it.
            int burst = quick ? 1_000 : 10_000;
            long start = System.nanoTime();
            claimed.await(send(producer, Topics.TASKS_PROPOSED, run + "-sat", burst, 4, 0).keySet(),
                    Duration.ofMinutes(15));
            double saturation = burst / ((System.nanoTime() - start) / 1e9);
            results.putObject("pipelineSaturation").put("tasks", burst).put("perSecond", saturation)
                    .put("ratioToBaseline", saturation / results.path("baseline").path("perSecond").asDouble());
            out.printf("pipeline saturation: %.0f tasks/s%n", saturation);
            out.flush();
            var rates = results.putArray("pipelineRates");
            for (double fraction : new double[] {0.25, 0.5, 0.75}) {
                double rate = Math.max(1, saturation * fraction);
                int count = (int) Math.max(50, rate * (quick ? 5 : 15));
                Map<String, Long> sent = send(producer, Topics.TASKS_PROPOSED, run + "-r" + (int) (fraction * 100),
                        count, 4, rate);
                claimed.await(sent.keySet(), Duration.ofMinutes(10));
                Latencies latencies = claimed.latencies(sent);
                rates.addObject().put("fractionOfSaturation", fraction).put("offeredPerSecond", rate).put("tasks", count)
                        .put("p50Ms", latencies.percentile(0.5)).put("p99Ms", latencies.percentile(0.99))
                        .put("p999Ms", latencies.percentile(0.999));
                out.printf("pipeline at %.0f tasks/s: p99 %.0f ms%n", rate, latencies.percentile(0.99));
                out.flush();
            }

            // Priority: P1 tasks through the whole pipeline while a P4 backlog waits in the crew's lane.
            var priority = results.putArray("priority");
            for (int p4 : backlogs()) {
                String prefix = run + "-b" + p4;
                for (int i = 0; i < p4; i++) {
                    Task task = noop(prefix + "-p4-" + i, 4);
                    publish(producer, Topics.crewLane(Crew.RESEARCH, 4), task);
                }
                producer.flush();
                // All within a second: the backlog must still be queued when the last P1 arrives.
                int p1Count = quick ? 20 : 50;
                Map<String, Long> p1Sent = send(producer, Topics.TASKS_PROPOSED, prefix + "-p1", p1Count, 1, p1Count);
                claimed.await(p1Sent.keySet(), Duration.ofMinutes(5));
                Latencies p1 = claimed.latencies(p1Sent);
                long p4Claimed = claimed.countStartingWith(prefix + "-p4-");
                priority.addObject().put("p4Backlog", p4).put("p1Tasks", p1Count)
                        .put("p1P50Ms", p1.percentile(0.5)).put("p1P99Ms", p1.percentile(0.99))
                        .put("p4ClaimedMeanwhile", p4Claimed);
                out.printf("P1 behind %d P4: p99 %.0f ms (%d P4 claimed meanwhile)%n", p4, p1.percentile(0.99),
                        p4Claimed);
                out.flush();
            }
        } finally {
            for (Service service : services) {
                service.close();
            }
        }
    }

    /** Concurrent callers at saturation: about what a few crews' agents in their tool loops offer. */
    private static final int TOOL_CALLERS = 16;

    /**
     * The tool-call round trip as an agent sees it (send -> result received; requested -> constitution
     * -> approved -> executor -> results), for a call that costs next to nothing to run (read_file of
     * a 1 KB workspace file), at paced rates and at saturation; each paced rate beside the raw 1 KB hop
     * paced at the same rate in the same run, and their ratio.
     */
    private void toolCalls(Properties client, HydraConfig config, Path dir, List<Service> services, PrintWriter out)
            throws Exception {
        start(services, CrewServices.toolExecutor(config, client, dir, CrewServices.redactor(config)));
        var rows = results.putArray("toolCalls");
        // the bench's calls name the development crew, as that crew's agents would: signed with its key
        SigningSettings.ensureWriterKeys(config, dir);
        try (EventProducer producer = new EventProducer(client, "hydra-bench-tools",
                SigningSettings.writerSigner(config, dir, Crew.DEVELOPMENT.wireName()));
             KafkaToolGateway gateway = new KafkaToolGateway(client, producer,
                     "hydra-bench-tools");
             KafkaConsumer<String, byte[]> rawConsumer = new KafkaConsumer<>(Arrivals.consumerProps(client),
                     new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> rawProducer = new KafkaProducer<>(producerProps(client),
                     new StringSerializer(), new ByteArraySerializer());
             ToolCallStages stages = new ToolCallStages(client)) {
            String file = "bench/noop.txt";
            toolCall(gateway, stages, "write_file", Map.of("path", file, "content", "x".repeat(VALUE_BYTES)));
            for (int i = 0; i < (quick ? 20 : 100); i++) {
                toolCall(gateway, stages, "read_file", Map.of("path", file)); // warm: JIT, connections, the executor's journal
            }
            rawConsumer.subscribe(List.of(RAW_TOPIC));
            awaitAssignment(rawConsumer);
            rawConsumer.seekToEnd(rawConsumer.assignment());
            for (int rate : new int[] {20, 200}) {
                int count = rate * (quick ? 3 : 15);
                stages.reset();
                Latencies calls = pacedCalls(gateway, stages, file, count, rate);
                Latencies raw = rawRun(rawConsumer, rawProducer, new byte[VALUE_BYTES], count, rate);
                var row = rows.addObject();
                row.put("offeredPerSecond", rate).put("calls", count)
                        .put("p50Ms", calls.percentile(0.5)).put("p99Ms", calls.percentile(0.99))
                        .put("rawP50Ms", raw.percentile(0.5)).put("rawP99Ms", raw.percentile(0.99))
                        // a raw hop under a millisecond reads as 0 ms: count it as 1 so the ratio stays finite
                        .put("ratioP50", calls.percentile(0.5) / Math.max(1, raw.percentile(0.5)))
                        .put("ratioP99", calls.percentile(0.99) / Math.max(1, raw.percentile(0.99)));
                stages.putInto(row);
                out.printf("tool calls at %d/s: p50 %.0f ms, p99 %.0f ms (raw hop p50 %.0f, p99 %.0f)%n", rate,
                        calls.percentile(0.5), calls.percentile(0.99), raw.percentile(0.5), raw.percentile(0.99));
                out.printf("  stages p50/p99 ms: constitution %s, executor %s, return %s%n",
                        stage(row, "constitution"), stage(row, "executor"), stage(row, "return"));
                out.flush();
            }
            int perCaller = quick ? 50 : 300;
            Latencies saturated = new Latencies();
            long start = System.nanoTime();
            List<Thread> callers = new ArrayList<>();
            for (int c = 0; c < TOOL_CALLERS; c++) {
                Thread caller = new Thread(() -> {
                    for (int i = 0; i < perCaller; i++) {
                        long sent = System.nanoTime();
                        toolCall(gateway, stages, "read_file", Map.of("path", file));
                        saturated.add((System.nanoTime() - sent) / 1_000_000);
                    }
                }, "bench-tool-caller-" + c);
                callers.add(caller);
                caller.start();
            }
            for (Thread caller : callers) {
                caller.join();
            }
            double perSecond = TOOL_CALLERS * perCaller / ((System.nanoTime() - start) / 1e9);
            rows.addObject().put("offeredPerSecond", "saturation (" + TOOL_CALLERS + " callers)")
                    .put("calls", TOOL_CALLERS * perCaller).put("perSecond", perSecond)
                    .put("p50Ms", saturated.percentile(0.5)).put("p99Ms", saturated.percentile(0.99));
            out.printf("tool calls at saturation: %.0f calls/s, p99 %.0f ms%n", perSecond, saturated.percentile(0.99));
            out.flush();
        }
    }

    /** {@code count} calls started at {@code rate} per second, each on its own thread of a pool, timed to its result. */
    private static Latencies pacedCalls(KafkaToolGateway gateway, ToolCallStages stages, String file, int count,
                                        int rate)
            throws Exception {
        Latencies latencies = new Latencies();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<Future<?>> calls = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                parkUntil(start + (long) (i * 1e9 / rate));
                calls.add(pool.submit(() -> {
                    long sent = System.nanoTime();
                    toolCall(gateway, stages, "read_file", Map.of("path", file));
                    latencies.add((System.nanoTime() - sent) / 1_000_000);
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return latencies;
    }

    /** One built-in file tool call through the constitution and the executor; a result other than OK stops the bench. */
    private static void toolCall(KafkaToolGateway gateway, ToolCallStages stages, String tool,
                                 Map<String, Object> arguments) {
        String id = UUID.randomUUID().toString();
        ToolCall call = new ToolCall(id, "bench-tools", Crew.DEVELOPMENT,
                "bench", ToolVocabulary.FILESYSTEM, tool, arguments,
                List.of("path:/workspace/" + arguments.get("path")), Instant.now());
        try {
            stages.sent(id);
            var result = gateway.call(call, Duration.ofMinutes(2))
                    .orElseThrow(() -> new IllegalStateException("no result for tool call " + id + " within 2 minutes"));
            stages.answered(id);
            if (result.status() != ToolStatus.OK) {
                throw new IllegalStateException("bench tool call " + tool + " ended " + result.status() + ": "
                        + result.output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private List<Integer> backlogs() {
        if (backlog != null) {
            return List.of(backlog);
        }
        return quick ? List.of(2_000) : List.of(10_000, 100_000);
    }

    private static void start(List<Service> services, Service service) throws Exception {
        services.add(service);
        service.start();
    }

    /** {@code count} no-op tasks into {@code input} as fast as possible, timed until all reach {@code output}. */
    private void stage(com.fasterxml.jackson.databind.node.ArrayNode stages, String name,
                              EventProducer producer, Topic<Task> input, String prefix, int count, Arrivals output,
                              PrintWriter out) throws Exception {
        long start = System.nanoTime();
        output.await(send(producer, input, prefix, count, 4, 0).keySet(), Duration.ofMinutes(10));
        double perSecond = count / ((System.nanoTime() - start) / 1e9);
        stages.addObject().put("stage", name).put("tasks", count).put("perSecond", perSecond);
        out.printf("%s: %.0f tasks/s%n", name, perSecond);
        out.flush();
    }

    private static Task noop(String id, int priority) {
        return new Task(id, "benchmark", priority, 0, "benchmark no-op", Crew.RESEARCH,
                Map.of("action", "noop", "target", id), List.of(), List.of(), "hydra-bench", Instant.now());
    }

    /**
     * Sends {@code count} no-op tasks to {@code topic}, paced at {@code rate} per second (0 = unpaced);
     * returns when each was sent, by id.
     */
    private Map<String, Long> send(EventProducer producer, Topic<Task> topic, String prefix, int count,
                                          int priority, double rate) {
        Map<String, Long> sentAt = new LinkedHashMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (rate > 0) {
                parkUntil(start + (long) (i * 1e9 / rate));
            }
            Task task = noop(prefix + "-" + i, priority);
            sentAt.put(task.id(), System.currentTimeMillis());
            publish(producer, topic, task);
        }
        producer.flush();
        return sentAt;
    }

    /** A proposal as any client writes it; work past the filter signed with the stack's key. */
    private void publish(EventProducer producer, Topic<Task> topic, Task task) {
        Headers headers = EventHeaders.of(topic, task.id());
        if (topic != Topics.TASKS_PROPOSED) {
            EventHeaders.put(headers, EventHeaders.SIGNATURE,
                    signer.sign(task, VerdictSignature.ALLOW, constitutionInForce).header());
        }
        producer.sendWithHeaders(topic, task.id(), task, headers);
    }

    /** JMH: constitution checks per second, one thread, full rule set. */
    private void constitutionChecks(PrintWriter out) throws Exception {
        RunResult result = jmh(ConstitutionBenchmark.class.getName(),
                Map.of("constitutionFile", constitution.toAbsolutePath().toString())).iterator().next();
        double perSecond = result.getPrimaryResult().getScore();
        results.putObject("constitution").put("checksPerSecond", perSecond)
                .put("error", result.getPrimaryResult().getScoreError());
        out.printf("constitution: %.0f checks/s%n", perSecond);
    }

    /** JMH: what a verdict signature costs per record (the filter signs, an executor verifies). */
    private void signatures(PrintWriter out) throws Exception {
        ObjectNode node = results.putObject("signatures");
        for (RunResult result : jmh(SignatureBenchmark.class.getName(), Map.of())) {
            String label = result.getParams().getBenchmark().substring(result.getParams().getBenchmark().lastIndexOf('.') + 1);
            double perSecond = result.getPrimaryResult().getScore();
            node.put(label + "PerSecond", perSecond).put(label + "Micros", 1e6 / perSecond);
            out.printf("signature %s: %.0f per second (%.1f µs per record)%n", label, perSecond, 1e6 / perSecond);
        }
    }

    /** One JMH run of the benchmarks matching {@code include}, in one fork, one thread. */
    private java.util.Collection<RunResult> jmh(String include, Map<String, String> params) throws Exception {
        OptionsBuilder options = new OptionsBuilder();
        options.include(include).forks(1).warmupIterations(quick ? 1 : 3).measurementIterations(quick ? 2 : 5)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2)).measurementTime(TimeValue.seconds(quick ? 1 : 3))
                .threads(1);
        params.forEach(options::param);
        return new Runner(options.build()).run();
    }

    private void printTable(PrintWriter out) {
        var b = results.path("baseline");
        var s = results.path("pipelineSaturation");
        String row = "%-62s %12s %9s %9s %9s%n";
        out.println();
        out.printf(row, "measurement (services in one JVM, broker in its own)", "per second", "p50 ms", "p99 ms",
                "p99.9 ms");
        if (!toolCallsOnly) {
            out.printf(row, "baseline: raw 1 KB producer -> consumer, as fast as it goes", num(b.path("perSecond")),
                    num(b.path("p50Ms")), num(b.path("p99Ms")), "");
            var paced = b.path("paced");
            out.printf(row, "baseline: raw 1 KB producer -> consumer, paced", num(paced.path("perSecond")),
                    num(paced.path("p50Ms")), num(paced.path("p99Ms")), num(paced.path("p999Ms")));
        }
        for (var stage : results.path("stages")) {
            out.printf(row, stage.path("stage").asText(), num(stage.path("perSecond")), "", "", "");
        }
        for (var t : results.path("toolCalls")) {
            boolean atRate = t.path("offeredPerSecond").isNumber();
            out.printf(row, "tool call round trip (read_file) at " + t.path("offeredPerSecond").asText()
                            + (atRate ? "/s" : ""), num(atRate ? t.path("offeredPerSecond") : t.path("perSecond")),
                    num(t.path("p50Ms")), num(t.path("p99Ms")), "");
            if (atRate) {
                out.printf("%-62s %12s %9s %9s   ratio p50 %.1f, p99 %.1f%n", "  raw 1 KB hop paced at the same rate",
                        "", num(t.path("rawP50Ms")), num(t.path("rawP99Ms")), t.path("ratioP50").asDouble(),
                        t.path("ratioP99").asDouble());
                for (String name : List.of("constitution", "executor", "return")) {
                    var stage = t.path("stages").path(name);
                    out.printf(row, "  stage: " + name, "", num(stage.path("p50Ms")), num(stage.path("p99Ms")), "");
                }
            }
        }
        if (!toolCallsOnly) {
            out.printf("%-62s %12s   ratio to baseline %.3f%n", "pipeline saturation: proposed -> claimed",
                    num(s.path("perSecond")), s.path("ratioToBaseline").asDouble());
            for (var r : results.path("pipelineRates")) {
                out.printf(row, "pipeline at " + Math.round(r.path("fractionOfSaturation").asDouble() * 100)
                        + "% of saturation", num(r.path("offeredPerSecond")), num(r.path("p50Ms")), num(r.path("p99Ms")),
                        num(r.path("p999Ms")));
            }
            for (var p : results.path("priority")) {
                out.printf(row, "P1 proposed -> claimed behind " + p.path("p4Backlog").asInt() + " queued P4", "",
                        num(p.path("p1P50Ms")), num(p.path("p1P99Ms")), "");
            }
            out.printf(row, "constitution checks (JMH, 1 thread, 1 KB tool calls)",
                    num(results.path("constitution").path("checksPerSecond")), "", "", "");
        }
        out.flush();
    }

    private static String stage(com.fasterxml.jackson.databind.JsonNode row, String name) {
        var stage = row.path("stages").path(name);
        return num(stage.path("p50Ms")) + "/" + num(stage.path("p99Ms"));
    }

    private static String num(com.fasterxml.jackson.databind.JsonNode value) {
        return String.format("%.0f", value.asDouble());
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
