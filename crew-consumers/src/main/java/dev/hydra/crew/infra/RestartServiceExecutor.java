package dev.hydra.crew.infra;

import dev.hydra.crew.CommandRunner;
import dev.hydra.crew.StepJournal;
import dev.hydra.crew.StepJournal.StepResult;
import dev.hydra.crew.TaskContext;
import dev.hydra.crew.TaskExecutor;
import dev.hydra.crew.TaskOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code restart_service}, done without a model: the command configured for the service in
 * hydra.yaml runs in the worker's directory with the service's time limit.
 */
public final class RestartServiceExecutor implements TaskExecutor {
    public static final String ACTION = "restart_service";

    private final ServiceCatalog services;

    public RestartServiceExecutor(ServiceCatalog services) {
        this.services = services;
    }

    @Override
    public TaskOutcome execute(TaskContext context) throws Exception {
        Object name = context.task().task().get("service");
        if (!(name instanceof String service) || service.isBlank()) {
            return TaskOutcome.failed("restart_service needs task.service (a service name from hydra.yaml)");
        }
        Optional<ServiceCatalog.ServiceSpec> found = services.find(service);
        if (found.isEmpty()) {
            return TaskOutcome.failed("unknown service '" + service + "': hydra.yaml services are " + services.names());
        }
        ServiceCatalog.ServiceSpec spec = found.get();
        if (spec.restart().isEmpty()) {
            return TaskOutcome.failed("service '" + service + "' has no restart command in hydra.yaml");
        }
        String step = "restart:" + service;
        // The command gets the idempotency key too, so a restart script can deduplicate on its own side.
        Map<String, String> environment = Map.of("HYDRA_TASK_ID", context.task().id(),
                "HYDRA_ATTEMPT", Integer.toString(context.attempt()),
                "HYDRA_IDEMPOTENCY_KEY", StepJournal.stepKey(context.task().id(), context.attempt(), step));
        StepResult result = context.step(step, () -> {
            CommandRunner.Run run = CommandRunner.run(spec.restart(), context.workDir(), spec.restartTimeout(),
                    environment, true);
            if (run.timedOut()) {
                return StepResult.failed("restart of " + service + " timed out after " + spec.restartTimeout()
                        + " and was killed; output: " + run.output().strip());
            }
            if (!run.succeeded()) {
                return StepResult.failed("restart of " + service + " exited with " + run.exitCode() + ": "
                        + run.output().strip());
            }
            return StepResult.ok("restarted " + service + " in " + run.durationMs() + " ms: " + run.output().strip());
        });
        Map<String, Object> artefacts = new LinkedHashMap<>();
        artefacts.put("service", service);
        artefacts.put("command", spec.restart());
        artefacts.put("replayed", result.replayed());
        return result.ok() ? TaskOutcome.succeeded(result.summary(), artefacts, 0)
                : TaskOutcome.failed(result.summary(), artefacts, 0);
    }
}
