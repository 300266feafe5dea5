package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crash and restart suite in its reduced form: one kill -9 per service and one broker restart,
 * each service in its own JVM, under steady load with hostile events on every entrance topic mixed
 * in. Bounded: each fault must heal within 3 minutes, the drain within 6. {@code hydra chaos} runs
 * the full form.
 */
class ChaosSuiteTest {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosSuiteTest.class);

    @Test
    void everyGuaranteeHoldsThroughAKillOfEachServiceAndABrokerRestart() throws Exception {
        StringWriter log = new StringWriter();
        ChaosRun.Plan plan = new ChaosRun.Plan(100, 400, 2, 5, Duration.ofMinutes(3), Duration.ofMinutes(6),
                Path.of("../config/constitution.yaml").toAbsolutePath().normalize());
        ChaosRun.Report report = new ChaosRun(plan, new PrintWriter(log, true)).run(false);
        LOG.info("{}{}", log, report.table());
        assertThat(report.faults()).hasSize(5);
        assertThat(report.checks()).hasSize(9).allSatisfy(check ->
                assertThat(check.passed()).as(check.name() + ": " + check.detail()).isTrue());
    }
}
