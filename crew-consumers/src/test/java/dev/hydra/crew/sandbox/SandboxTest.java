package dev.hydra.crew.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.crew.CommandRunner.Run;
import dev.hydra.topics.config.SandboxSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bubblewrap sandbox against a real host: what a command inside can and cannot reach. */
class SandboxTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(8);

    @TempDir
    Path base;
    private HostFixture host;
    private Sandbox sandbox;

    @BeforeEach
    void sandbox() throws Exception {
        host = new HostFixture(base);
        sandbox = host.sandbox(TIMEOUT);
    }

    @AfterEach
    void close() throws Exception {
        host.assertNoProcessLeft();
        host.close();
    }

    private Run sh(String command) throws InterruptedException {
        return sandbox.run(List.of("sh", "-c", host.fill(command)));
    }

    @Test
    void cannotConnectToAPortListeningOnTheHostsLoopback() throws Exception {
        Run python = sh("python3 -c \"import socket; socket.create_connection(('127.0.0.1', {HOST_PORT}), 2)\"");
        Run bash = sh("bash -c 'echo hello > /dev/tcp/127.0.0.1/{HOST_PORT}'");

        // the only 127.0.0.1 there is the sandbox's own, where nothing listens
        assertThat(python.exitCode()).as(python.output()).isNotZero();
        assertThat(python.output()).contains("Connection refused");
        assertThat(bash.exitCode()).as(bash.output()).isNotZero();
        assertThat(host.connectionArrived()).isFalse();
        // only a loopback of its own, and that one down
        assertThat(sh("cat /proc/net/dev").output()).contains("lo:").doesNotContain("eth0");
    }

    @Test
    void seesTheWorkspaceAtSlashWorkspaceAndCanWriteNowhereElse() throws Exception {
        Run view = sh("pwd; cat /etc/hostname; ls /");
        Run inside = sh("echo made > /workspace/made.txt && mkdir -p src && echo x > src/y && cat /workspace/src/y");
        Run tmp = sh("echo scratch > /tmp/scratch-" + host.uid + " && cat /tmp/scratch-" + host.uid);

        assertThat(view.output().lines().toList()).startsWith("/workspace", "sandbox")
                .doesNotContain("root", "home", "work", "var", "opt", "mnt", "srv");
        assertThat(inside.output()).isEqualTo("x\n");
        assertThat(Files.readString(host.workspace.resolve("made.txt"))).isEqualTo("made\n");
        assertThat(tmp.output()).isEqualTo("scratch\n");
        assertThat(Path.of("/tmp/scratch-" + host.uid)).as("the sandbox's /tmp is its own").doesNotExist();
        for (String target : List.of("/usr/evil", "/etc/evil", "/evil", "/bin/evil", "{OUTSIDE}/evil")) {
            Run write = sh("echo x > " + target);
            assertThat(write.exitCode()).as(target + ": " + write.output()).isNotZero();
        }
        host.assertUntouched("");
    }

    @Test
    void cannotSeeTheConstitutionTheDataDirOrTheHostsHomes() throws Exception {
        Run look = sh("cat {CONSTITUTION}; ls -la {DATA_DIR}; cat {DATA_DIR}/marker.txt; ls /root /home /work; "
                + "cat /proc/1/root{CONSTITUTION}; find /etc /tmp /workspace /dev /proc/1/root/tmp -name marker.txt; "
                + "echo end");

        assertThat(look.output()).contains("No such file or directory").endsWith("end\n");
        host.assertUntouched(look.output());
    }

    @Test
    void aScriptWrittenToTheWorkspaceAndRunCannotTouchTheConstitution() throws Exception {
        Path script = host.workspace.resolve("evil.sh");
        Files.writeString(script, host.fill("""
                #!/bin/sh
                rm -f {CONSTITUTION}
                echo replaced > {CONSTITUTION}
                cp /workspace/evil.sh {CONSTITUTION}
                ln -sf /dev/null {CONSTITUTION}
                cat {CONSTITUTION}
                echo ran
                """));
        sandbox.adopt(script);

        Run run = sandbox.run(List.of("sh", "/workspace/evil.sh"));

        assertThat(run.output()).endsWith("ran\n");
        host.assertUntouched(run.output());
    }

    @Test
    void aForkBombIsStoppedByTheProcessLimitAndKilledWithItsTree() throws Exception {
        Run bomb = sh("bomb() { bomb | bomb & }; bomb; sleep 3600");

        assertThat(bomb.timedOut()).isTrue();
        assertThat(bomb.output()).contains("fork");
        // the host could still start processes meanwhile, and can now
        assertThat(sh("echo alive").output()).isEqualTo("alive\n");
    }

    @Test
    void aSleepingCommandAndItsBackgroundChildrenAreKilledAtTheTimeout() throws Exception {
        Run sleep = sh("(trap '' TERM HUP; setsid sleep 3600 &) ; nohup sleep 3600 >/dev/null 2>&1 & sleep 3600");

        assertThat(sleep.timedOut()).isTrue();
        assertThat(sleep.exitCode()).isEqualTo(-1);
    }

    @Test
    void outputIsCappedAndTheCutIsMarked() throws Exception {
        Run loud = sh("head -c 5000000 /dev/zero | tr '\\0' a");

        assertThat(loud.exitCode()).isZero();
        assertThat(loud.output()).startsWith("a".repeat(65_536) + "\n[output truncated: ")
                .endsWith((5_000_000 - 65_536) + " more bytes after the first 65536 were dropped]");
    }

    @Test
    void fileSizeAndMemoryAreLimited() throws Exception {
        Run big = sh("head -c 20000000 /dev/zero > big.bin; echo exit=$?; wc -c < big.bin");
        Run hungry = sh("python3 -c \"b = bytearray(3 * 1024 * 1024 * 1024)\"");

        assertThat(big.output()).contains("exit=").doesNotContain("exit=0").contains(Long.toString(16L * 1024 * 1024));
        assertThat(hungry.exitCode()).isNotZero();
        assertThat(hungry.output()).contains("MemoryError");
    }

    @Test
    void theEnvironmentIsCleanAndTheUserHasNoCapabilities() throws Exception {
        Run env = sandbox.run(List.of("env"));
        Run status = sh("grep -E '^(Uid|Cap[A-Za-z]+|NoNewPrivs):' /proc/self/status");
        Run remount = sh("mount -o remount,rw /usr; mount -t tmpfs none /workspace; echo tried");

        Set<String> names = env.output().lines().map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toSet());
        assertThat(names).isSubsetOf("PATH", "HOME", "LANG", "TMPDIR", "USER", "GIT_TERMINAL_PROMPT", "PWD")
                .contains("PATH", "HOME", "LANG");
        assertThat(env.output()).contains("HOME=/workspace\n");
        assertThat(status.output()).contains("NoNewPrivs:\t1").doesNotContain("Uid:\t0");
        assertThat(status.output().lines().filter(l -> l.startsWith("Cap")))
                .allSatisfy(line -> assertThat(line).endsWith("0000000000000000"));
        assertThat(remount.output()).contains("tried").doesNotContain("tried\n".repeat(2));
        assertThat(sh("touch /usr/after-remount; echo $?").output()).isNotEqualTo("0\n");
    }

    @Test
    void withoutBubblewrapEveryCommandIsRefusedSayingHowToInstallIt() throws Exception {
        Path etc = base.resolve("private");
        Sandbox missing = Bubblewrap.probed(Optional.empty(), host.workspace, etc, host.limits(TIMEOUT));
        Sandbox broken = Bubblewrap.probed(Optional.of(Path.of("/bin/false")), host.workspace, etc, host.limits(TIMEOUT));

        assertThat(missing.unavailable()).get().asString().contains("bubblewrap is not installed")
                .contains("apt-get install bubblewrap").contains("crews.sandbox: none");
        assertThat(broken.unavailable()).get().asString().contains("could not run `true`")
                .contains("apt-get install bubblewrap");
    }

    @Test
    void sandboxNoneRunsCommandsOnTheHostOnlyWhenAskedFor() throws Exception {
        Sandbox none = Sandbox.open(SandboxSettings.Mode.NONE, host.workspace, base.resolve("private"),
                host.limits(TIMEOUT));

        assertThat(none.unavailable()).isEmpty();
        assertThat(none.run(List.of("sh", "-c", "pwd")).output().strip()).isEqualTo(host.workspace.toString());
        assertThat(none.description()).contains("crews.sandbox: none");
    }
}
