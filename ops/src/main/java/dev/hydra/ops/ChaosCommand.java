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
                        + "in hydra.dlq, and the audit hash chain verifies. Exit 1 on any violation."})
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

    @Option(names = "--keep", description = "keep the run's directory (logs of every JVM) instead of deleting it")
    boolean keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // After each fault, 5 (quick) or 20 tasks proposed after it must come through before the next.
        ChaosRun.Plan plan = new ChaosRun.Plan(tasks != null ? tasks : quick ? 200 : 2_000,
                hostile != null ? hostile : quick ? 500 : 10_000, quick ? 2 : 10, quick ? 5 : 20,
                Duration.ofMinutes(quick ? 3 : 5), Duration.ofMinutes(quick ? 6 : 15), constitution.toAbsolutePath());
        ChaosRun.Report report = new ChaosRun(plan, spec.commandLine().getOut()).run(keep);
        spec.commandLine().getOut().println(report.table());
        return report.passed() ? 0 : 1;
    }
}
