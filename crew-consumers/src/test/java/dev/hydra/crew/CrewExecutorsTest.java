package dev.hydra.crew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.crew.agent.CoreMemoryView;
import dev.hydra.topics.actions.CrewAction;
import dev.hydra.topics.actions.CrewActions;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Outcome;
import dev.hydra.topics.events.Task;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each crew worker runs exactly the actions the contract declares for its crew, each by whom it says. */
class CrewExecutorsTest {
    private static final TaskExecutor NOTHING = context -> TaskOutcome.succeeded("nothing", Map.of(), 0);

    @TempDir
    Path workDir;

    private static CrewExecutors executors(Crew crew) {
        HydraConfig config = HydraConfig.of("crews: {pollTimeout: 100ms}", Map.of());
        return new CrewExecutors(config, crew, "node-test", null, (call, timeout) -> java.util.Optional.empty(),
                CoreMemoryView.of(List.of()), task -> { });
    }

    @Test
    void everyCrewRunsExactlyItsDeclaredActionsEachByTheRunnerTheTableNames() {
        for (Crew crew : Crew.values()) {
            try (CrewExecutors executors = executors(crew)) {
                Map<String, Boolean> declared = new LinkedHashMap<>();
                CrewActions.standard().of(crew)
                        .forEach(a -> declared.put(a.name(), a.runBy() == CrewAction.RunBy.AGENTS));
                assertThat(executors.actions()).as("crew %s", crew).containsExactlyEntriesOf(declared);
            }
        }
    }

    @Test
    void onlyTheInfrastructureCrewHasWorkWithoutAModel() {
        for (Crew crew : Crew.values()) {
            try (CrewExecutors executors = executors(crew)) {
                assertThat(executors.allAgents()).as("crew %s", crew).isEqualTo(crew != Crew.INFRASTRUCTURE);
            }
        }
    }

    @Test
    void anUndeclaredActionFailsAtTheWorkerWithTheCrewsActionsAndNeverReachesAModel() throws Exception {
        try (CrewExecutors executors = executors(Crew.DEVELOPMENT)) {
            Task tidy = Tasks.of(Crew.DEVELOPMENT, 3, Map.of("action", "tidy", "path", "src"), "tidy up");
            TaskOutcome outcome = executors.execute(new TaskContext(tidy, 1, "node-test", workDir,
                    new StepJournal(workDir.resolve("journal"), "node-test")));
            assertThat(outcome.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(outcome.summary()).contains("task.action 'tidy'", "crew development",
                    "[complete_feature, fix_bug, update_documentation, noop]");
        }
    }

    @Test
    void aDeclaredActionWithoutAnExecutorStopsTheWorkerFromStarting() {
        List<CrewAction> declared = List.of(new CrewAction(Crew.INFRASTRUCTURE, "restart_service",
                CrewAction.RunBy.EXECUTOR, "restart"), new CrewAction(Crew.INFRASTRUCTURE, "optimize_inference",
                CrewAction.RunBy.AGENTS, "optimize"));
        assertThatThrownBy(() -> CrewExecutors.wire(Crew.INFRASTRUCTURE, declared, Map.of(), NOTHING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("declares action restart_service (run by executor, actions.table)");
        assertThatThrownBy(() -> CrewExecutors.wire(Crew.INFRASTRUCTURE, declared,
                Map.of("restart_service", NOTHING), null))
                .hasMessageContaining("declares action optimize_inference (run by agents");
    }

    @Test
    void anExecutorForAnUndeclaredActionStopsTheWorkerFromStarting() {
        List<CrewAction> declared = List.of(new CrewAction(Crew.INFRASTRUCTURE, "noop", CrewAction.RunBy.EXECUTOR,
                "nothing"));
        assertThatThrownBy(() -> CrewExecutors.wire(Crew.INFRASTRUCTURE, declared,
                Map.of("noop", NOTHING, "drop_database", NOTHING), NOTHING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("crew infrastructure has executors for [drop_database]")
                .hasMessageContaining("it declares [noop]");
        assertThat(CrewExecutors.wire(Crew.INFRASTRUCTURE, declared, Map.of("noop", NOTHING), null))
                .containsOnlyKeys("noop");
    }
}
