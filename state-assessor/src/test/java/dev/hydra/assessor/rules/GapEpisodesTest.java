package dev.hydra.assessor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.events.ServiceHealth;
import dev.hydra.topics.events.StateSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GapEpisodesTest {
    private static final GapRules RULES = new GapRules(GapRules.Thresholds.SEED);
    private static final Instant T0 = Instant.parse("2026-12-02T06:00:00Z");

    private static List<Gap> failed(Instant at, String... services) {
        List<ServiceHealth> health = java.util.Arrays.stream(services)
                .map(s -> new ServiceHealth(s, false, "HTTP 503", 1)).toList();
        return RULES.identify(new StateSnapshot(null, at, health, Map.of(), List.of(), List.of(), ""), List.of());
    }

    private static String id(List<Gap> gaps, String service) {
        return gaps.stream().filter(g -> service.equals(g.task().task().get("service"))).findFirst().orElseThrow()
                .task().id();
    }

    @Test
    void aGapSeenByConsecutiveAssessmentsKeepsItsTask() {
        GapEpisodes episodes = new GapEpisodes();
        String first = id(episodes.assign(failed(T0, "letta"), T0), "letta");
        String again = id(episodes.assign(failed(T0.plusSeconds(300), "letta"), T0.plusSeconds(300)), "letta");
        assertThat(again).isEqualTo(first);
    }

    @Test
    void aGapThatClosesAndReopensIsNewWork() {
        GapEpisodes episodes = new GapEpisodes();
        String first = id(episodes.assign(failed(T0, "letta"), T0), "letta");
        assertThat(episodes.assign(failed(T0.plusSeconds(300)), T0.plusSeconds(300))).isEmpty();
        String second = id(episodes.assign(failed(T0.plusSeconds(600), "letta"), T0.plusSeconds(600)), "letta");
        assertThat(second).isNotEqualTo(first)
                .isEqualTo(GapRules.episodeId(GapRules.taskId(dev.hydra.topics.events.Crew.INFRASTRUCTURE,
                        "restart_service", "letta"), T0.plusSeconds(600)));
    }

    @Test
    void aGapStillOpenAfterItsTaskEndedIsNewWorkAndOnlyOnce() {
        GapEpisodes episodes = new GapEpisodes();
        String first = id(episodes.assign(failed(T0, "letta", "qdrant"), T0), "letta");
        String qdrant = id(episodes.assign(failed(T0, "letta", "qdrant"), T0), "qdrant");
        episodes.ended(first); // the restart completed, and letta is still down
        episodes.ended("some-other-task");
        List<Gap> next = episodes.assign(failed(T0.plusSeconds(300), "letta", "qdrant"), T0.plusSeconds(300));
        String second = id(next, "letta");
        assertThat(second).isNotEqualTo(first);
        assertThat(id(next, "qdrant")).as("its task is still open: the same work").isEqualTo(qdrant);
        String third = id(episodes.assign(failed(T0.plusSeconds(600), "letta", "qdrant"), T0.plusSeconds(600)), "letta");
        assertThat(third).as("the second restart is still open").isEqualTo(second);
        // an end reported for an episode that is over changes nothing
        episodes.ended(first);
        assertThat(id(episodes.assign(failed(T0.plusSeconds(900), "letta"), T0.plusSeconds(900)), "letta"))
                .isEqualTo(second);
    }

    @Test
    void eachGapHasItsOwnEpisode() {
        GapEpisodes episodes = new GapEpisodes();
        List<Gap> both = episodes.assign(failed(T0, "letta", "qdrant"), T0);
        List<Gap> qdrantOnly = episodes.assign(failed(T0.plusSeconds(60), "qdrant"), T0.plusSeconds(60));
        List<Gap> bothAgain = episodes.assign(failed(T0.plusSeconds(120), "letta", "qdrant"), T0.plusSeconds(120));
        assertThat(id(qdrantOnly, "qdrant")).isEqualTo(id(both, "qdrant")).isEqualTo(id(bothAgain, "qdrant"));
        assertThat(id(bothAgain, "letta")).isNotEqualTo(id(both, "letta"));
    }
}
