package dev.hydra.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hydra chaos}: the crash and restart suite, each service in its own JVM under steady load. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        header = "Kills and restarts every service under load, then checks nothing was lost or done twice.",
        description = {"Runs the broker and every pipeline service in its own JVM under steady load, kills each with -9 "
                        + "(constitution filter, router, a crew worker mid-task, memory projector) and restarts the broker, "
                        + "each once the pipeline has recovered from the one before, feeds hostile events to every entrance "
                        + "topic (random bytes, truncated JSON, wrong types, huge fields, unknown enum values, 10 MB values), "
                        + "then checks with an independent reader that every task ended in exactly one terminal state, no "
                        + "verdict or audit record is duplicated or missing, no side effect ran twice, every hostile event is "
                        + "in hydra.dlq, and the audit hash chain verifies. Exit 1 on any violation.",
                "With --brokers 3 the broker is a three-node KRaft cluster (replication factor 3, min.insync.replicas 2), "
                        + "the constitution filter and the router run twice (standby replicas, static membership), and the "
                        + "faults are: the broker leading the most partitions of the busiest topics, lost for good; one "
                        + "instance of each Streams app; a crew worker mid-task. Prints how long the task path stood still "
                        + "after each."})
final class ChaosCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "the reduced form CI runs: fewer tasks and hostile events, one kill per service")
    boolean quick;

    @Option(names = "--tasks", description = "at least this many tasks, more while faults are still being injected (default: 2000; --quick: 200)")
    Integer tasks;

    @Option(names = "--hostile", description = "malformed or hostile events to feed beside the tasks (default: 10000; --quick: 500)")
    Integer hostile;

    @Option(names = "--constitution", paramLabel = "PATH", defaultValue = "${env:HYDRA_CONSTITUTION:-config/constitution.yaml}",
            description = "constitution (default: ${DEFAULT-VALUE})")
    Path constitution;

    @Option(names = "--brokers", defaultValue = "1", description = {"1: one broker, killed and restarted; "
            + ChaosRun.CLUSTER_NODES + ": a KRaft cluster of " + ChaosRun.CLUSTER_NODES + " nodes in their own JVMs (replication factor 3,",
            "min.insync.replicas 2), two instances of the constitution filter and of the router; the broker leading the most",
            "partitions of the busiest topics is killed and stays down, then one instance of each Streams app and a crew worker",
            "mid-task are killed (default: ${DEFAULT-VALUE})"})
    int brokers;

    @Option(names = "--keep", description = "keep the run's directory (logs of every JVM) instead of deleting it")
    boolean keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // After each fault, 5 (quick) or 20 tasks proposed after it must come through before the next.
        ChaosRun.Plan plan = new ChaosRun.Plan(tasks != null ? tasks : quick ? 200 : 2_000,
                hostile != null ? hostile : quick ? 500 : 10_000, quick ? 2 : 10, quick ? 5 : 20,
                Duration.ofMinutes(quick ? 3 : 5), Duration.ofMinutes(quick ? 6 : 15), constitution.toAbsolutePath(), brokers);
        ChaosRun.Report report = new ChaosRun(plan, spec.commandLine().getOut()).run(keep);
        spec.commandLine().getOut().println(report.table());
        return report.passed() ? 0 : 1;
    }
}
