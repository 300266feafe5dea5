package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.crew.tools.ToolFailure;
import dev.hydra.crew.tools.WorkspaceTools;
import dev.hydra.crew.sandbox.SandboxLimits;
import dev.hydra.topics.config.SandboxSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceToolsTest {
    @TempDir
    Path base;
    private WorkspaceTools tools;

    @BeforeEach
    void workspace() throws Exception {
        tools = new WorkspaceTools(base.resolve("workspace"), SandboxSettings.Mode.BUBBLEWRAP, base.resolve(".hydra"),
                new SandboxLimits(Duration.ofSeconds(2), Duration.ofSeconds(10), 2_048, 64, 16, 65_536, 65_534));
    }

    @Test
    void writesReadsMovesAndDeletesInsideTheWorkspace() throws Exception {
        tools.run("filesystem-mcp", "write_file", Map.of("path", "/workspace/src/a.txt", "content", "alpha"));
        assertThat(tools.run("filesystem-mcp", "read_file", Map.of("path", "src/a.txt"))).isEqualTo("alpha");
        tools.run("filesystem-mcp", "move_file", Map.of("source", "src/a.txt", "destination", "docs/b.txt"));
        assertThat(Files.readString(tools.root().resolve("docs/b.txt"))).isEqualTo("alpha");
        tools.run("filesystem-mcp", "delete_file", Map.of("path", "docs/b.txt"));
        assertThat(tools.root().resolve("docs/b.txt")).doesNotExist();
    }

    @Test
    void refusesPathsThatLeaveTheWorkspace() throws Exception {
        Files.writeString(base.resolve("secret.txt"), "s3cret");
        Files.createSymbolicLink(tools.root().resolve("escape"), base);

        for (String path : new String[]{"../secret.txt", "/etc/passwd", "src/../../secret.txt", "escape/secret.txt",
                "/workspace/../secret.txt"}) {
            assertThatThrownBy(() -> tools.run("filesystem-mcp", "read_file", Map.of("path", path)))
                    .as(path).isInstanceOf(ToolFailure.class).hasMessageContaining("outside the workspace");
        }
        assertThatThrownBy(() -> tools.run("filesystem-mcp", "write_file", Map.of("path", "escape/new.txt",
                "content", "x"))).isInstanceOf(ToolFailure.class);
        assertThat(base.resolve("new.txt")).doesNotExist();
    }

    @Test
    void shellRunsInTheWorkspaceWithAMinimalEnvironmentAndATimeLimit() throws Exception {
        assertThat(tools.run("shell", "run", Map.of("command", "pwd; echo ${HYDRA_SECRET:-unset}")))
                .isEqualTo("/workspace\nunset\n");
        assertThatThrownBy(() -> tools.run("shell", "run", Map.of("command", "sleep 20")))
                .isInstanceOf(ToolFailure.class).hasMessageContaining("timed out after PT2S");
        assertThatThrownBy(() -> tools.run("shell", "run", Map.of("command", "exit 3")))
                .isInstanceOf(ToolFailure.class).hasMessageContaining("exit code 3");
    }

    @Test
    void gitCommitsOnABranchOfTheWorkspaceRepository() throws Exception {
        tools.run("shell", "run", Map.of("command", "git init -q -b main ."));
        tools.run("git-mcp", "checkout", Map.of("branch", "feature/x"));
        tools.run("filesystem-mcp", "write_file", Map.of("path", "x.txt", "content", "x"));
        tools.run("git-mcp", "commit", Map.of("message", "add x", "files", java.util.List.of("x.txt")));
        assertThat(tools.run("shell", "run", Map.of("command", "git log --format=%s")))
                .isEqualTo("add x\n");
        assertThat(tools.run("git-mcp", "status", Map.of())).contains("feature/x");
    }

    @Test
    void fileToolsRefuseFifosAndFilesWithOtherHardLinks() throws Exception {
        tools.run("shell", "run", Map.of("command", "mkfifo pipe && echo a > a.txt && ln a.txt b.txt"));

        assertThatThrownBy(() -> tools.run("filesystem-mcp", "read_file", Map.of("path", "/workspace/pipe")))
                .isInstanceOf(ToolFailure.class).hasMessageContaining("not an ordinary file");
        assertThatThrownBy(() -> tools.run("filesystem-mcp", "write_file", Map.of("path", "b.txt", "content", "x")))
                .isInstanceOf(ToolFailure.class).hasMessageContaining("not an ordinary file");
        assertThat(Files.readString(tools.root().resolve("a.txt"))).isEqualTo("a\n");
    }

    @Test
    void gitPushRunsOutsideTheSandboxButNoneOfTheProgramsTheWorkspaceRepositoryNames() throws Exception {
        Path marker = base.resolve("ran-on-the-host");
        String hook = "#!/bin/sh\ntouch " + marker + "\n";
        tools.run("shell", "run", Map.of("command", "git init -q -b main . && git init -q --bare /workspace/remote.git"));
        for (String path : List.of(".git/hooks/pre-push", "remote.git/hooks/pre-receive", "evil.sh")) {
            tools.run("filesystem-mcp", "write_file", Map.of("path", path, "content", hook));
        }
        tools.run("shell", "run", Map.of("command", "chmod +x .git/hooks/pre-push remote.git/hooks/pre-receive evil.sh"
                + " && git config core.sshCommand /workspace/evil.sh && git config credential.helper '!/workspace/evil.sh'"
                + " && git config remote.origin.url /workspace/remote.git && git config core.hooksPath .git/hooks"
                + " && git config remote.origin.receivepack /workspace/evil.sh"));
        tools.run("filesystem-mcp", "write_file", Map.of("path", "x.txt", "content", "x"));
        tools.run("git-mcp", "commit", Map.of("message", "add x", "files", List.of("x.txt")));

        assertThatThrownBy(() -> tools.run("git-mcp", "push", Map.of("remote", "origin", "branch", "main")))
                .isInstanceOf(ToolFailure.class).hasMessageContaining("transport 'file' not allowed");
        assertThatThrownBy(() -> tools.run("git-mcp", "push", Map.of("remote", "--receive-pack=/workspace/evil.sh",
                "branch", "main"))).isInstanceOf(ToolFailure.class).hasMessageContaining("not options");
        assertThat(marker).doesNotExist();
    }
}
