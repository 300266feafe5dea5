package dev.hydra.crew.sandbox;

import dev.hydra.crew.CrewSettings;
import dev.hydra.topics.config.HydraConfig;
import java.time.Duration;

/**
 * What one sandboxed command may use.
 *
 * @param timeout     wall clock; past it the command's whole process tree is killed
 * @param cpu         CPU time of each process (RLIMIT_CPU)
 * @param memoryMb    address space of each process (RLIMIT_AS)
 * @param processes   processes and threads of the sandbox's user (RLIMIT_NPROC): a fork bomb stops here
 * @param fileSizeMb  largest file a command may write (RLIMIT_FSIZE)
 * @param outputBytes output kept for the result; the rest is dropped and the cut is marked
 * @param uid         host user (and group) commands run as when the executor runs as root
 */
public record SandboxLimits(Duration timeout, Duration cpu, int memoryMb, int processes, int fileSizeMb,
                            int outputBytes, int uid) {

    public static SandboxLimits from(HydraConfig config) {
        return new SandboxLimits(config.get(CrewSettings.SHELL_TIMEOUT), config.get(CrewSettings.SANDBOX_CPU),
                config.get(CrewSettings.SANDBOX_MEMORY_MB), config.get(CrewSettings.SANDBOX_PROCESSES),
                config.get(CrewSettings.SANDBOX_FILE_SIZE_MB), config.get(CrewSettings.SHELL_OUTPUT_LIMIT),
                config.get(CrewSettings.SANDBOX_UID));
    }

    /** A copy with another wall-clock limit (tests, the probe). */
    public SandboxLimits withTimeout(Duration other) {
        return new SandboxLimits(other, cpu, memoryMb, processes, fileSizeMb, outputBytes, uid);
    }
}
