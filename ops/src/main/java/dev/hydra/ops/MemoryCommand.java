package dev.hydra.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hydra memory}: the crews' memory, as the running memory projector holds it. */
@Command(name = "memory", mixinStandardHelpOptions = true, description = "Reads Hydra's memory tiers from a running stack.",
        subcommands = {MemoryCommand.Search.class, MemoryCommand.Blocks.class})
final class MemoryCommand {

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "Archival memory: the findings nearest in meaning to QUERY, with scores (one JSON per line).")
    static final class Search implements Callable<Integer> {
        @Mixin
        ConsoleClient console;

        @Parameters(paramLabel = "QUERY")
        String query;

        @Option(names = {"-k", "--limit"}, defaultValue = "5", description = "how many (default: ${DEFAULT-VALUE})")
        int limit;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JsonNode hits = console.get("/api/memory/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&k=" + limit);
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode hit : hits.isArray() ? hits : hits.path("hits")) {
                out.println(hit);
            }
            return 0;
        }
    }

    @Command(name = "blocks", mixinStandardHelpOptions = true, description = "Core memory: the shared blocks and their content.")
    static final class Blocks implements Callable<Integer> {
        @Mixin
        ConsoleClient console;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JsonNode blocks = console.get("/api/memory/blocks");
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode block : blocks.isArray() ? blocks : blocks.path("blocks")) {
                out.println("== " + block.path("name").asText() + " (v" + block.path("version").asLong()
                        + ", written by " + block.path("writer").asText() + ")");
                out.println(block.path("content").asText());
            }
            return 0;
        }
    }
}
