package dev.hydra.ops;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hydra url}: where the stack is, as every other command would find it, for tools that are not
 * Hydra's ({@code curl $(./hydra url)/health}, {@code kcat -b $(./hydra url --kafka)}).
 */
@Command(name = "url", mixinStandardHelpOptions = true,
        header = "Prints the console URL (or with --kafka the bootstrap servers) of the stack the commands use.",
        description = "Resolved as for every command: the flag, HYDRA_* variables, the stack.json of the stack running"
                + " in the data directory, hydra.yaml, the default.")
final class UrlCommand implements Callable<Integer> {
    @Mixin
    HydraCli.Connection connection;

    @Option(names = "--http-url", paramLabel = "URL", description = "the console (default: as for history and memory)")
    String httpUrl;

    @Option(names = "--kafka", description = "print the Kafka bootstrap servers instead")
    boolean kafka;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var config = connection.config();
        spec.commandLine().getOut().println(kafka ? connection.bootstrap(config) : StackEndpoints.httpUrl(httpUrl, config));
        return 0;
    }
}
