package dev.hydra.ops;

import dev.hydra.topics.config.ConfigException;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code hydra} command line. Each subcommand is its own class; this one only dispatches. */
@Command(name = "hydra", mixinStandardHelpOptions = true, version = "hydra 0.1.0",
        description = "Crews of AI agents, 24/7, every task and tool call passing a constitution, over Kafka.",
        subcommands = {UpCommand.class, ServiceCommand.class, CrewCommand.class, BrokerCommand.class,
                TopicsCommand.class, SubmitCommand.class, CallCommand.class, TailCommand.class, ConstitutionCommand.class,
                ToolsCommand.class, ActionsCommand.class,
                ApprovalsCommand.class, AuditCommand.class, MemoryCommand.class, HistoryCommand.class,
                ReplayCommand.class, BenchCommand.class, ChaosCommand.class, UrlCommand.class, AclsCommand.class,
                ApproversCommand.class, PauseCommand.class, ResumeCommand.class, CommandLine.HelpCommand.class})
public final class HydraCli {

    public static void main(String[] args) {
        LogSetup.beforeFirstLogger(args, System.getenv());
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new HydraCli());
        // Durations as the config writes them (5s, 10m), not only ISO-8601 (PT5S).
        cli.registerConverter(java.time.Duration.class, dev.hydra.topics.config.Setting::parseDuration);
        // Plain text: no escape codes in front of the usage when the terminal is detected as colour-capable.
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("hydra: " + e.getMessage());
                return 2;
            }
            // Unexpected: one line on the terminal, the stack trace in the log file (not under dev.hydra,
            // whose lines also go to the terminal).
            org.slf4j.LoggerFactory.getLogger("hydra.cli.failure").error("{} failed", commandLine.getCommandName(), e);
            commandLine.getErr().println("hydra: " + commandLine.getCommandName() + " failed: " + e
                    + "; the stack trace is in " + System.getProperty(LogSetup.FILE_PROPERTY, "the log")
                    + " (include it when you report this)");
            return 1;
        });
        return cli;
    }

    /** Options every command that talks to Kafka shares. */
    static final class Connection {
        @Option(names = "--config", description = "hydra.yaml (default: ${DEFAULT-VALUE}; env HYDRA_CONFIG)",
                defaultValue = "${env:HYDRA_CONFIG:-config/hydra.yaml}")
        Path configFile;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
                description = "Kafka bootstrap servers (default: HYDRA_KAFKA_BOOTSTRAP, else the stack `hydra up` runs in"
                        + " the data directory, else kafka.bootstrap of the config, 127.0.0.1:9092)")
        String bootstrap;

        @Option(names = "--kafka-config", paramLabel = "FILE",
                description = "Kafka client properties (security settings) to connect with (default: env HYDRA_KAFKA_CLIENT_CONFIG,"
                        + " else the generated credentials in <data dir>/credentials)")
        Path kafkaConfig;

        @Option(names = "--as", paramLabel = "PRINCIPAL",
                description = "whose generated credentials to use (default: ${DEFAULT-VALUE}; e.g. submitter, admin)",
                defaultValue = "cli")
        String principal;

        /** The configuration file and the environment, with the flags winning over both. */
        HydraConfig config() {
            Map<String, String> flags = new HashMap<>();
            if (kafkaConfig != null) {
                flags.put(KafkaSettings.CLIENT_CONFIG.env(), kafkaConfig.toString());
            }
            return SettingsCatalog.checked(HydraConfig.load(configFile, System.getenv()).withEnv(flags));
        }

        String bootstrap(HydraConfig config) {
            return StackEndpoints.bootstrap(bootstrap, config);
        }

        /**
         * The operator's key ({@code signing.writers.operator.key}) under {@code dataDir}, or under the
         * configured data directory when null: tool calls and replays of tool calls are signed with it.
         */
        dev.hydra.topics.signing.WriterSigner operatorSigner(Path dataDir) {
            HydraConfig config = config();
            return dev.hydra.topics.config.SigningSettings.writerSigner(config,
                    dataDir != null ? dataDir : dev.hydra.topics.config.DataSettings.dataDir(config),
                    dev.hydra.topics.signing.WriterSignature.OPERATOR);
        }

        /** Client properties of the operator's CLI (or of {@code --as}), for a broker that is known to listen. */
        Properties clientProps() {
            return clientProps(new Principal(principal));
        }

        /** Client properties of one principal, for a broker that is known to listen (else a one-line error within seconds). */
        Properties clientProps(Principal as) {
            HydraConfig config = config();
            String servers = bootstrap(config);
            BrokerProbe.requireReachable(servers);
            return KafkaSettings.client(config, servers, as);
        }
    }
}
