package dev.hydra.router;

import dev.hydra.topics.events.Crew;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many tasks a second the dispatcher handles with many tasks open (store scans grow with the
 * open set). Not a regular test: {@code -Dhydra.bench=true -Dtest=RouterThroughputBench}.
 */
@EnabledIfSystemProperty(named = "hydra.bench", matches = "true")
class RouterThroughputBench {
    private static final Logger LOG = LoggerFactory.getLogger(RouterThroughputBench.class);

    @TempDir
    Path stateDir;

    @Test
    void routesAndClosesTasksWithAThousandOpen() {
        int n = Integer.getInteger("hydra.bench.tasks", 2000);
        try (RouterDriver router = new RouterDriver(stateDir, "router: {checkInterval: 1s}")) {
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // one task in ten shares a resource with the previous one: a HELD task to release later
                String resource = "service:s" + (i % 10 == 0 && i > 0 ? i - 1 : i);
                tasks.add(new Task("b-" + i, null, 1 + i % 4, i % 100, "bench", Crew.values()[i % 4],
                        Map.of("action", "work", "service", "s" + i), List.of(resource), List.of(), "bench", null));
            }
            long start = System.nanoTime();
            tasks.forEach(router::approve);
            long approved = System.nanoTime();
            router.advance(Duration.ofSeconds(1));
            long ticked = System.nanoTime();
            for (Task task : tasks) {
                router.report(task, TaskState.CLAIMED, 1);
                router.report(task, TaskState.COMPLETED, 1);
            }
            long closed = System.nanoTime();
            LOG.info("bench: {} approvals in {} ms ({} /s); one check over {} open tasks in {} ms; "
                            + "{} statuses in {} ms ({} /s)", n, ms(approved - start), rate(n, approved - start), n,
                    ms(ticked - approved), 2 * n, ms(closed - ticked), rate(2 * n, closed - ticked));
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static long rate(int count, long nanos) {
        return count * 1_000_000_000L / Math.max(nanos, 1);
    }
}
