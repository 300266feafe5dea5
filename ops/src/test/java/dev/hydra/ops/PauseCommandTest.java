package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.PauseSwitch;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** hydra pause / resume / pause --show against a real broker, read back by a running switch. */
class PauseCommandTest {
    private static KafkaTestCluster kafka;

    private record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = KafkaTestCluster.start();
        try (Admin admin = kafka.admin()) {
            new TopicBootstrap(admin, (short) 1).ensure(List.of(Topics.CONTROL, Topics.DLQ));
        }
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    private static Run run(String... args) {
        CommandLine cli = HydraCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void pauseAndResumeFlipTheSwitchThatRunningReadersFollow() throws Exception {
        try (PauseSwitch running = PauseSwitch.start(kafka.clientProps(), "cli-test", Duration.ofSeconds(20))) {
            assertThat(run("pause", "--show", "--bootstrap", kafka.bootstrap()).out()).contains("running (never paused)");

            Run pause = run("pause", "--bootstrap", kafka.bootstrap(), "--reason", "upgrading the GPUs");
            assertThat(pause.code()).as(pause.err()).isZero();
            assertThat(pause.out()).startsWith("PAUSED").contains("upgrading the GPUs");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1)).until(running::paused);
            assertThat(run("pause", "--show", "--bootstrap", kafka.bootstrap()).out()).startsWith("PAUSED")
                    .contains("upgrading the GPUs");

            Run resume = run("resume", "--bootstrap", kafka.bootstrap());
            assertThat(resume.code()).as(resume.err()).isZero();
            assertThat(resume.out()).startsWith("running");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> !running.paused());
            assertThat(run("pause", "--show", "--bootstrap", kafka.bootstrap()).out()).startsWith("running (resumed by");
        }
    }

    @Test
    void helpOfBothCommands() {
        assertThat(run("pause", "--help").out()).contains("Usage: hydra pause").contains("--reason");
        assertThat(run("resume", "--help").out()).contains("Usage: hydra resume");
    }
}
