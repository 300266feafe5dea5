package dev.hydra.ops;

import dev.hydra.assessor.AssessorSettings;
import dev.hydra.assessor.StateAssessor;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hydra up}: the whole stack in one process, until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        header = "The whole stack in this process: broker, topics, every service, the console.",
        description = {"Starts an embedded single-node Kafka broker (unless --bootstrap names a cluster), creates the "
                        + "topics, starts every service in this process and serves the console, API, /health and /metrics."})
final class UpCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where broker data and state live (default: data.dir of the config, ./data)")
    Path dataDir;

    @Option(names = "--kafka-port", description = "port of the embedded broker (default: ${DEFAULT-VALUE})", defaultValue = "9092")
    int kafkaPort;

    @Option(names = "--http-port", description = "port of the console (default: http.port of the config, 8701)")
    Integer httpPort;

    @Option(names = "--crews", split = ",", description = "crews to run in this process (default: all: ${DEFAULT-VALUE})",
            defaultValue = "research,development,infrastructure,self_improvement")
    List<String> crews;

    @Option(names = "--test", description = "the seed's test mode: run --iterations assessment iterations, each "
            + "after the previous one's work has settled, print a report per iteration, then stop")
    boolean test;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "5",
            description = "iterations of --test (default: ${DEFAULT-VALUE}, as the seed's test mode)")
    int iterations;

    @Option(names = "--iteration-timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "how long --test waits for an iteration's work to settle (default: ${DEFAULT-VALUE})")
    java.time.Duration iterationTimeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HydraConfig config = connection.config();
        if (test) {
            if (iterations < 1) {
                throw new IllegalArgumentException("--iterations must be at least 1, was " + iterations);
            }
            // the iterations are driven one at a time, not by the schedule or by source changes
            config = config.withEnv(Map.of(AssessorSettings.MODE.env(), AssessorSettings.Mode.ON_REQUEST.name()));
        }
        Path data = dataDir != null ? dataDir : Path.of(config.get(OpsSettings.DATA_DIR));
        List<Crew> crewList = crews.stream().map(Crew::fromWire).toList();
        Optional<StackFile> other = StackFile.read(data);
        if (other.isPresent()) {
            throw new IllegalArgumentException("a stack already runs in " + data.toAbsolutePath() + " (pid " + other.get().pid()
                    + ", Kafka " + other.get().kafkaBootstrap() + ", console " + other.get().httpUrl()
                    + "): stop it first, or give this one its own --data-dir");
        }
        HydraStack stack = HydraStack.start(new HydraStack.Options(config, data,
                Optional.ofNullable(connection.bootstrap), kafkaPort, Optional.ofNullable(httpPort), crewList));
        CountDownLatch stopped = new CountDownLatch(1);
        String http = "http://127.0.0.1:" + stack.httpPort();
        StackFile.ofThisProcess(stack.bootstrap(), http).write(data);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            StackFile.removeOwn(data);
            stack.close();
            stopped.countDown();
        }, "hydra-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Hydra is up.");
        out.println("  Kafka      " + stack.bootstrap() + (connection.bootstrap == null ? "  (embedded, data in " + data.toAbsolutePath() + ")" : ""));
        out.println("  Console    " + http + "/");
        out.println("  Health     " + http + "/health");
        out.println("  Metrics    " + http + "/metrics");
        out.println("  Submit     ./hydra submit task.json");
        stack.kcatSubmit().ifPresent(kcat -> {
            out.println("  Kafka logins: SASL/SCRAM, one principal per service, credentials in "
                    + data.toAbsolutePath().resolve("credentials") + "; any Kafka producer submits as `submitter`:");
            out.println("             " + kcat);
        });
        out.println("  Crews      " + Arrays.toString(crewList.toArray()));
        out.println("  Logs       " + System.getProperty(LogSetup.FILE_PROPERTY, "(this terminal)"));
        out.println("  Clients    every ./hydra command finds this stack through " + StackFile.in(data.toAbsolutePath()));
        if (test) {
            out.println("Test mode: " + iterations + " iteration(s), then stop.");
            out.flush();
            StateAssessor assessor = stack.services().stream().filter(StateAssessor.class::isInstance)
                    .map(StateAssessor.class::cast).findFirst().orElseThrow();
            try (TestIterations run = new TestIterations(assessor, stack.clientProps(), stack.writerVerifier())) {
                run.run(iterations, iterationTimeout, out);
            } finally {
                StackFile.removeOwn(data);
                stack.close();
            }
            out.println("Test mode done: " + iterations + " iteration(s).");
            out.flush();
            return 0;
        }
        out.println("Ctrl-C stops everything cleanly.");
        out.flush();
        stopped.await();
        return 0;
    }
}
