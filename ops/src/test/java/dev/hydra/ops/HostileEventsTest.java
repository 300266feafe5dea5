package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.InvalidEventException;
import dev.hydra.topics.Topic;
import dev.hydra.topics.Topics;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HostileEventsTest {
    @Test
    void everyHostileEventIsRefusedByTheSerdeOfItsTopic() {
        Random random = new Random(7);
        // 10 MB ones at 250 and 2,750; the rest of the first 600 cover every kind and spoiled field.
        IntStream.concat(IntStream.range(0, 600), IntStream.of(2_750)).forEach(n -> {
            HostileEvents.Event event = HostileEvents.next(random, n, "hostile-" + n);
            assertThatThrownBy(() -> {
                if (event.topic().valueSerde().deserialize(event.topic().name(), event.value()) == null) {
                    throw new InvalidEventException("null");
                }
            }).as("hostile event %d (%s on %s)", n, event.kind(), event.topic().name())
                    .isInstanceOf(InvalidEventException.class);
        });
    }

    @Test
    void coversEveryKindOnEveryEntranceTopic() {
        Random random = new Random(7);
        Map<String, Set<HostileEvents.Kind>> kinds = new HashMap<>();
        for (int n = 0; n < 600; n++) {
            HostileEvents.Event event = HostileEvents.next(random, n, "hostile-" + n);
            kinds.computeIfAbsent(event.topic().name(), t -> EnumSet.noneOf(HostileEvents.Kind.class)).add(event.kind());
        }
        Set<HostileEvents.Kind> all = EnumSet.allOf(HostileEvents.Kind.class);
        Set<HostileEvents.Kind> noTenMb = EnumSet.complementOf(EnumSet.of(HostileEvents.Kind.TEN_MEGABYTES));
        Set<HostileEvents.Kind> noEnum = EnumSet.copyOf(noTenMb);
        noEnum.remove(HostileEvents.Kind.UNKNOWN_ENUM);
        assertThat(kinds).containsOnlyKeys(name(Topics.TASKS_PROPOSED), name(Topics.TOOLCALLS_REQUESTED),
                name(Topics.APPROVAL_DECISIONS));
        assertThat(kinds.get(name(Topics.TASKS_PROPOSED))).isEqualTo(noTenMb);
        assertThat(kinds.get(name(Topics.TOOLCALLS_REQUESTED))).isEqualTo(all);
        assertThat(kinds.get(name(Topics.APPROVAL_DECISIONS))).as("decisions have no enum field").isEqualTo(noEnum);
        assertThat(HostileEvents.next(random, 250, "k").value()).hasSizeGreaterThanOrEqualTo(10 * 1024 * 1024);
    }

    private static String name(Topic<?> topic) {
        return topic.name();
    }
}
