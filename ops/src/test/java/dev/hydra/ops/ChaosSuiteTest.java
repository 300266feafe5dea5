package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The crash and restart suite in its reduced form: one kill -9 per service and one broker restart,
 * each service in its own JVM, under steady load with hostile events mixed in. {@code hydra chaos}
 * runs the full form.
 */
class ChaosSuiteTest {
    @Test
    void everyGuaranteeHoldsThroughAKillOfEachServiceAndABrokerRestart() throws Exception {
        StringWriter log = new StringWriter();
        ChaosRun.Plan plan = new ChaosRun.Plan(100, 400, 2, Duration.ofMinutes(6),
                Path.of("../config/constitution.yaml").toAbsolutePath().normalize());
        ChaosRun.Report report = new ChaosRun(plan, new PrintWriter(log, true)).run(false);
        System.out.println(log);
        System.out.println(report.table());
        assertThat(report.faults()).hasSize(10);
        assertThat(report.checks()).hasSize(6).allSatisfy(check ->
                assertThat(check.passed()).as(check.name() + ": " + check.detail()).isTrue());
    }
}
