package dev.hydra.topics.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrewActionsTest {
    private static final CrewActions ACTIONS = CrewActions.standard();

    private static Task task(Crew crew, String action) {
        return new Task("t-1", null, 3, 50, "a task", crew, Map.of("action", action), List.of(), List.of(), "test",
                null);
    }

    @Test
    void declaresTheSeedsActionsCrewByCrewWithWhoRunsThem() {
        assertThat(ACTIONS.names(Crew.INFRASTRUCTURE)).containsExactly("restart_service", "optimize_inference", "noop");
        assertThat(ACTIONS.names(Crew.DEVELOPMENT))
                .containsExactly("complete_feature", "fix_bug", "update_documentation", "noop");
        assertThat(ACTIONS.names(Crew.RESEARCH)).containsExactly("research_topic", "evaluate_technology", "noop");
        assertThat(ACTIONS.names(Crew.SELF_IMPROVEMENT)).containsExactly("analyze_iteration", "noop");
        assertThat(ACTIONS.find(Crew.INFRASTRUCTURE, "restart_service")).get().extracting(CrewAction::runBy)
                .isEqualTo(CrewAction.RunBy.EXECUTOR);
        assertThat(ACTIONS.find(Crew.INFRASTRUCTURE, "optimize_inference")).get().extracting(CrewAction::runBy)
                .isEqualTo(CrewAction.RunBy.AGENTS);
        assertThat(ACTIONS.all()).allSatisfy(a -> assertThat(a.description()).isNotBlank());
        assertThat(ACTIONS.all()).filteredOn(a -> a.name().equals("noop"))
                .allSatisfy(a -> assertThat(a.runBy()).isEqualTo(CrewAction.RunBy.EXECUTOR))
                .extracting(CrewAction::crew).containsExactlyInAnyOrder(Crew.values());
    }

    @Test
    void refusesAnActionNotItsCrewsNamingTheFieldTheCrewAndItsActions() {
        assertThat(ACTIONS.refusal(task(Crew.DEVELOPMENT, "complete_feature"))).isEmpty();
        assertThat(ACTIONS.refusal(task(Crew.DEVELOPMENT, "tidy"))).get().asString()
                .contains("task.action 'tidy'", "crew development",
                        "[complete_feature, fix_bug, update_documentation, noop]");
        // an action of another crew is not this crew's
        assertThat(ACTIONS.refusal(task(Crew.RESEARCH, "restart_service"))).get().asString()
                .contains("crew research", "[research_topic, evaluate_technology, noop]");
        // spelt exactly as the crews match it
        assertThat(ACTIONS.refusal(task(Crew.INFRASTRUCTURE, "Restart_Service"))).isPresent();
        assertThat(ACTIONS.refusal(task(Crew.INFRASTRUCTURE, "restart_service "))).isPresent();
        assertThatThrownBy(() -> ACTIONS.requireDeclared(task(Crew.SELF_IMPROVEMENT, "rewrite_everything")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("task.action 'rewrite_everything' is not an action of crew self_improvement")
                .hasMessageContaining("[analyze_iteration, noop]");
    }

    @Test
    void aHugeActionIsShownShortInTheReason() {
        String huge = "x".repeat(5_000);
        assertThat(ACTIONS.refusal(task(Crew.RESEARCH, huge))).get().asString().hasSizeLessThan(400);
    }
}
