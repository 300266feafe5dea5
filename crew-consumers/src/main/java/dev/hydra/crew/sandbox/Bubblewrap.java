package dev.hydra.crew.sandbox;

import dev.hydra.crew.CommandRunner;
import dev.hydra.topics.config.SandboxSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Commands under bubblewrap ({@code bwrap}): their own mount, network, PID, IPC and UTS namespaces;
 * no network at all (not even the host's loopback); /usr and the few /etc files programs need,
 * read-only; the workspace read-write at /workspace; a private /tmp, /proc and minimal /dev; a clean
 * environment; no capabilities; rlimits on CPU time, address space, processes and file size (util-linux
 * {@code prlimit}). Nothing else of the host is mounted, so Hydra's config, data directory, credentials
 * and constitution are not there to read. Killing bwrap kills the sandbox's PID 1, and with it every
 * process in the sandbox.
 *
 * <p>Run as root, bwrap keeps every capability inside, and the kernel exempts root from the process
 * limit; so the command itself is started as an unprivileged host user ({@link SandboxLimits#uid()},
 * via util-linux {@code setpriv}, with every capability and the bounding set dropped), and the files the
 * executor writes into the workspace are handed to that user. Run as another user, bwrap creates a user
 * namespace instead and drops its capabilities there.
 */
final class Bubblewrap implements Sandbox {
    static final String INSTALL = "install it with `apt-get install bubblewrap` (Debian/Ubuntu; `dnf install "
            + "bubblewrap` on Fedora), or set crews.sandbox: none (HYDRA_CREW_SANDBOX) to run commands unconfined, "
            + "each then needing a person's approval";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);
    private static final String PATH = "/usr/local/bin:/usr/bin:/bin";
    /** Host /etc files programs need to start (dynamic linker, alternatives, time zone, name services). */
    private static final List<String> HOST_ETC = List.of("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
            "localtime", "nsswitch.conf");
    private static final List<String> TOP_LEVEL = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

    private final Path workspace;
    private final Path etc;
    private final SandboxLimits limits;
    private final boolean root;
    private final String bwrap;
    private Optional<String> unavailable = Optional.empty();

    private Bubblewrap(Path workspace, Path etc, SandboxLimits limits, boolean root, String bwrap) {
        this.workspace = workspace;
        this.etc = etc;
        this.limits = limits;
        this.root = root;
        this.bwrap = bwrap;
    }

    /** A bubblewrap sandbox, tried once with {@code true}; refusing every command if that did not work. */
    static Bubblewrap probed(Path workspace, Path privateDir, SandboxLimits limits) {
        return probed(executable("bwrap"), workspace, privateDir, limits);
    }

    /** @param bwrap the bubblewrap program, if there is one */
    static Bubblewrap probed(Optional<Path> bwrap, Path workspace, Path privateDir, SandboxLimits limits) {
        Bubblewrap sandbox = new Bubblewrap(workspace, privateDir.resolve("sandbox-etc"), limits, runningAsRoot(),
                bwrap.map(Path::toString).orElse("bwrap"));
        if (bwrap.isEmpty()) {
            sandbox.unavailable = Optional.of("the sandbox is unusable: bubblewrap is not installed (no bwrap in "
                    + PATH + "); " + INSTALL);
            return sandbox;
        }
        for (String helper : sandbox.root ? List.of("setpriv", "prlimit") : List.of("prlimit")) {
            if (executable(helper).isEmpty()) {
                sandbox.unavailable = Optional.of("the sandbox is unusable: util-linux's " + helper + " is missing; "
                        + "install it with `apt-get install util-linux`");
                return sandbox;
            }
        }
        try {
            sandbox.prepare();
            CommandRunner.Run probe = sandbox.runWith(List.of("true"), PROBE_TIMEOUT);
            if (!probe.succeeded()) {
                sandbox.unavailable = Optional.of("the sandbox is unusable: bubblewrap could not run `true` ("
                        + (probe.timedOut() ? "timed out" : "exit code " + probe.exitCode()) + ": "
                        + probe.output().strip() + "); it needs user or mount namespaces the kernel allows; " + INSTALL);
            }
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            sandbox.unavailable = Optional.of("the sandbox is unusable: " + e.getMessage() + "; " + INSTALL);
        }
        return sandbox;
    }

    @Override
    public CommandRunner.Run run(List<String> argv) throws InterruptedException {
        if (unavailable.isPresent()) {
            throw new IllegalStateException(unavailable.get());
        }
        return runWith(argv, limits.timeout());
    }

    @Override
    public Optional<String> unavailable() {
        return unavailable;
    }

    @Override
    public void adopt(Path hostPath) throws IOException {
        if (root) {
            Files.setAttribute(hostPath, "unix:uid", limits.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(hostPath, "unix:gid", limits.uid(), LinkOption.NOFOLLOW_LINKS);
        }
    }

    @Override
    public String description() {
        return "bubblewrap (" + bwrap + "): no network, only " + SandboxSettings.WORKSPACE_ROOT + " writable, "
                + (root ? "as host user " + limits.uid() : "in a user namespace") + ", limits " + limits;
    }

    private CommandRunner.Run runWith(List<String> argv, Duration timeout) throws InterruptedException {
        return CommandRunner.run(argv(argv), workspace, timeout, Map.of("PATH", PATH), false, limits.outputBytes());
    }

    /** The /etc files of the sandbox's own, and the workspace (everything in it) owned by its user. */
    private void prepare() throws IOException {
        Files.createDirectories(etc);
        int uid = uid();
        String passwd = "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "sandbox:x:" + uid + ":" + uid + ":Hydra sandbox:" + SandboxSettings.WORKSPACE_ROOT + ":/bin/sh\n";
        Map<String, String> files = Map.of("passwd", passwd, "group", "root:x:0:\nsandbox:x:" + uid + ":\n",
                "hostname", "sandbox\n", "hosts", "127.0.0.1 localhost sandbox\n::1 localhost\n");
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = etc.resolve(file.getKey());
            Files.writeString(path, file.getValue());
            // readable by the sandbox's user whatever the executor's umask
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
        }
        if (root) {
            try (Stream<Path> all = Files.walk(workspace)) {
                for (Path path : (Iterable<Path>) all::iterator) {
                    adopt(path);
                }
            }
        }
    }

    private int uid() throws IOException {
        return root ? limits.uid() : (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    List<String> argv(List<String> command) {
        List<String> a = new ArrayList<>(List.of(bwrap, "--die-with-parent", "--new-session",
                "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                "--hostname", "sandbox"));
        if (!root) {
            a.addAll(List.of("--unshare-user", "--cap-drop", "ALL"));
        }
        // Directories bwrap makes would get the executor's umask (often 077): readable ones, explicitly.
        a.addAll(List.of("--ro-bind", "/usr", "/usr", "--perms", "0755", "--dir", "/etc"));
        for (String top : TOP_LEVEL) {
            Path host = Path.of("/", top);
            if (Files.isSymbolicLink(host)) {
                a.addAll(List.of("--symlink", readLink(host), host.toString()));
            } else if (Files.isDirectory(host)) {
                a.addAll(List.of("--ro-bind", host.toString(), host.toString()));
            }
        }
        for (String name : HOST_ETC) {
            Path host = Path.of("/etc", name);
            if (Files.exists(host)) {
                a.addAll(List.of("--ro-bind", host.toString(), host.toString()));
            }
        }
        for (String name : List.of("passwd", "group", "hostname", "hosts")) {
            a.addAll(List.of("--ro-bind", etc.resolve(name).toString(), "/etc/" + name));
        }
        // bwrap leaves /proc/sys writable when it runs as root; the kernel's helpers (core_pattern, modprobe)
        // would then run what a command names as host root. Read-only, whoever the command runs as.
        a.addAll(List.of("--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--dev", "/dev",
                "--perms", "1777", "--size", Long.toString(mb(limits.fileSizeMb())), "--tmpfs", "/tmp",
                "--bind", workspace.toString(), SandboxSettings.WORKSPACE_ROOT,
                "--chdir", SandboxSettings.WORKSPACE_ROOT, "--remount-ro", "/",
                "--clearenv", "--setenv", "PATH", PATH, "--setenv", "HOME", SandboxSettings.WORKSPACE_ROOT,
                "--setenv", "LANG", "C.UTF-8", "--setenv", "TMPDIR", "/tmp", "--setenv", "USER", "sandbox",
                "--setenv", "GIT_TERMINAL_PROMPT", "0", "--"));
        if (root) {
            String id = Integer.toString(limits.uid());
            a.addAll(List.of("/usr/bin/setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--"));
        }
        a.addAll(List.of("/usr/bin/prlimit", "--cpu=" + Math.max(1, limits.cpu().toSeconds()),
                "--as=" + mb(limits.memoryMb()), "--nproc=" + limits.processes(),
                "--fsize=" + mb(limits.fileSizeMb()), "--core=0", "--"));
        a.addAll(command);
        return a;
    }

    private static long mb(int megabytes) {
        return megabytes * 1024L * 1024L;
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the link " + link, e);
        }
    }

    private static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static Optional<Path> executable(String name) {
        for (String dir : PATH.split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
