package dev.hydra.ops;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code hydra replay}: re-drives a time range of retained tasks or tool calls into the pipeline. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        header = "Re-drives the tasks or tool calls a topic kept between two times, under a new run id.",
        description = {"Re-drives the tasks (or tool calls) a topic retained between two times into the pipeline's entrance "
                        + "under a new run id, so that the current code and constitution handle yesterday's traffic. With "
                        + "--dry-run nothing is executed: crews skip every side effect, the tool executor answers without "
                        + "running, and results go to hydra.replay.results instead of hydra.tasks.results. Topics: "
                        + "hydra.tasks.proposed|approved|rejected, hydra.crew.<crew>.p1..p4 (into hydra.tasks.proposed), "
                        + "hydra.toolcalls.requested|approved (into hydra.toolcalls.requested)."})
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where the operator's signing key is, for copies of tool calls (default: data.dir)")
    java.nio.file.Path dataDir;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "the topic to read")
    String topic;

    @Option(names = "--from", required = true, paramLabel = "TIME", converter = TimeConverter.class,
            description = "first record time: ISO-8601 (2026-11-30T00:00:00Z) or an age (90m, 24h, 7d)")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = TimeConverter.class,
            description = "end of the range, exclusive (default: what the topic holds now)")
    Instant to;

    @Option(names = "--dry-run", description = "judge, route and work on the copies without executing any side effect")
    boolean dryRun;

    @Option(names = "--run-id", paramLabel = "ID", description = "name of this run (default: replay-<time>)")
    String runId;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Replayer.Route<?> route;
        try {
            route = Replayer.route(topic);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("hydra replay: " + e.getMessage());
            return 2;
        }
        if (to != null && !to.isAfter(from)) {
            spec.commandLine().getErr().println("hydra replay: --to (" + to + ") must be after --from (" + from + ")");
            return 2;
        }
        String run = runId != null ? runId : Replayer.newRunId(Instant.now());
        // copies of tool calls are the operator's: signed with its key, judged as the crew they name
        var signer = dev.hydra.topics.signing.WriterSigner.signs(route.entrance().name())
                ? connection.operatorSigner(dataDir) : null;
        Replayer.Summary summary = Replayer.replay(connection.clientProps(), route, from, Optional.ofNullable(to),
                dryRun, run, Duration.ofMinutes(5), signer);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s: %d item(s) of %s from %s%s re-driven into %s%s; %d malformed and %d earlier replays skipped%n",
                summary.runId(), summary.replayed(), summary.source(), from, to == null ? "" : " to " + to,
                summary.entrance(), dryRun ? " as a dry run" : "", summary.malformed(), summary.earlierReplays());
        out.printf("follow it: ./hydra tail %s --from-beginning | grep %s   (ids are %s:<original id>)%n",
                dryRun ? "hydra.replay.results" : "hydra.tasks.results", run, run);
        return 0;
    }

    /** ISO-8601 instants, or an age before now such as {@code 90m}, {@code 24h}, {@code 7d}. */
    static final class TimeConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            String text = value.trim();
            try {
                if (text.matches("\\d+[smhd]")) {
                    long amount = Long.parseLong(text.substring(0, text.length() - 1));
                    Duration age = switch (text.charAt(text.length() - 1)) {
                        case 's' -> Duration.ofSeconds(amount);
                        case 'm' -> Duration.ofMinutes(amount);
                        case 'h' -> Duration.ofHours(amount);
                        default -> Duration.ofDays(amount);
                    };
                    return Instant.now().minus(age);
                }
                return Instant.parse(text);
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new TypeConversionException("'" + value + "' is not a time: use ISO-8601 such as "
                        + "2026-11-30T00:00:00Z, or an age such as 90m, 24h or 7d");
            }
        }
    }
}
