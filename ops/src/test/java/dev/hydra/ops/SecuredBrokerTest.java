package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hydra.topics.KafkaTestCluster;
import dev.hydra.topics.TopicBootstrap;
import dev.hydra.topics.Topics;
import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KafkaSettings;
import dev.hydra.topics.config.Principal;
import dev.hydra.topics.events.Crew;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The embedded broker's boundary, on the real thing: SASL/SCRAM logins and the ACLs of {@link AccessPolicy}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredBrokerTest {
    private Path dataDir;
    private EmbeddedBroker broker;
    private HydraConfig config;

    @BeforeAll
    void start() throws Exception {
        dataDir = Files.createTempDirectory("hydra-secured");
        broker = EmbeddedBroker.start("127.0.0.1", 0, dataDir);
        config = HydraConfig.of("{}", Map.of("HYDRA_DATA_DIR", dataDir.toString()));
        try (Admin admin = Admin.create(as(Principal.ADMIN))) {
            new TopicBootstrap(admin, (short) 1).ensure(Topics.all());
        }
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private Properties as(Principal principal) {
        return KafkaSettings.client(config, broker.bootstrap(), principal);
    }

    private static void produce(Properties client, String topic) throws Exception {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "{}")).get();
        }
    }

    private static Throwable cause(ThrowingCall call) {
        try {
            call.run();
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("the broker accepted it");
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void aClientWithoutCredentialsIsRefused() {
        assertThat(cause(() -> produce(KafkaSettings.client(broker.bootstrap()), Topics.TASKS_PROPOSED.name())))
                .isInstanceOf(TimeoutException.class);
        Properties wrongPassword = KafkaSettings.ScramLogin.clientProps(Principal.SUBMITTER.name(), "not-the-password",
                KafkaSettings.ScramLogin.MECHANISM);
        wrongPassword.put("bootstrap.servers", broker.bootstrap());
        assertThat(cause(() -> produce(wrongPassword, Topics.TASKS_PROPOSED.name())))
                .isInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aCrewCannotPutAToolCallOnTheApprovedTopicNorATaskOnALane() {
        Properties crew = as(Principal.crew(Crew.RESEARCH));
        assertThat(cause(() -> produce(crew, Topics.TOOLCALLS_APPROVED.name()))).isInstanceOf(TopicAuthorizationException.class);
        assertThat(cause(() -> produce(crew, Topics.crewLane(Crew.RESEARCH, 1).name())))
                .isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void onlyTheConsoleWritesDecisions() throws Exception {
        assertThat(cause(() -> produce(as(Principal.CLI), Topics.APPROVAL_DECISIONS.name())))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThat(cause(() -> produce(as(Principal.crew(Crew.INFRASTRUCTURE)), Topics.APPROVAL_DECISIONS.name())))
                .isInstanceOf(TopicAuthorizationException.class);
        produce(as(Principal.CONSOLE), Topics.APPROVAL_DECISIONS.name());
    }

    @Test
    void theSubmitterProposesTasksAndReadsResultsButNothingElse() throws Exception {
        Properties submitter = as(Principal.SUBMITTER);
        produce(submitter, Topics.TASKS_PROPOSED.name());
        assertThat(cause(() -> produce(submitter, Topics.crewLane(Crew.DEVELOPMENT, 1).name())))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThat(cause(() -> produce(submitter, Topics.TASKS_APPROVED.name())))
                .isInstanceOf(TopicAuthorizationException.class);
        produce(as(Principal.crew(Crew.RESEARCH)), Topics.TASK_RESULTS.name());
        Properties reader = new Properties();
        reader.putAll(submitter);
        reader.put(ConsumerConfig.GROUP_ID_CONFIG, "submitter-results");
        reader.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> results = new KafkaConsumer<>(reader, new StringDeserializer(), new StringDeserializer())) {
            results.subscribe(List.of(Topics.TASK_RESULTS.name()));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !results.poll(Duration.ofMillis(200)).isEmpty());
        }
        try (KafkaConsumer<String, byte[]> audit = KafkaTestCluster.consumer(submitter, Topics.AUDIT.name())) {
            assertThat(cause(() -> audit.poll(Duration.ofSeconds(10)))).isInstanceOfAny(TopicAuthorizationException.class,
                    org.apache.kafka.common.errors.GroupAuthorizationException.class);
        }
    }

    @Test
    void hydraAclsPrintsTheAclsItAppliesToAnotherCluster(@TempDir Path other, @TempDir Path issued) throws Exception {
        try (EmbeddedBroker fresh = EmbeddedBroker.start("127.0.0.1", 0, other, Optional.of(AccessPolicy.none()))) {
            Path adminConfig = other.resolve("credentials").resolve("admin.properties");
            StringWriter out = new StringWriter();
            CommandLine cli = HydraCli.commandLine();
            cli.setOut(new PrintWriter(out));
            int code = cli.execute("acls", "--bootstrap", fresh.bootstrap(), "--command-config", adminConfig.toString(),
                    "--credentials-dir", issued.toString(), "--apply");
            assertThat(code).as(out.toString()).isZero();
            List<String> printed = Arrays.stream(out.toString().split("\n")).filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
            Properties adminProps = KafkaSettings.load(adminConfig, "admin");
            adminProps.put("bootstrap.servers", fresh.bootstrap());
            try (Admin admin = Admin.create(adminProps)) {
                assertThat(AccessPolicy.lines(admin.describeAcls(AclBindingFilter.ANY).values().get()))
                        .containsExactlyInAnyOrderElementsOf(printed);
            }
            assertThat(printed).hasSize(AccessPolicy.of(HydraConfig.of("{}", Map.of())).bindings().size());
            // A principal it created can log in with the credentials it wrote, and has its rights only.
            Properties submitter = KafkaSettings.load(issued.resolve("submitter.properties"), "submitter");
            submitter.put("bootstrap.servers", fresh.bootstrap());
            assertThat(Files.readString(issued.resolve("submitter.properties"), StandardCharsets.UTF_8)).contains("SCRAM-SHA-512");
            try (Admin admin = Admin.create(adminProps)) {
                new TopicBootstrap(admin, (short) 1).ensure(List.of(Topics.TASKS_PROPOSED, Topics.AUDIT));
            }
            produce(submitter, Topics.TASKS_PROPOSED.name());
            assertThat(cause(() -> produce(submitter, Topics.AUDIT.name()))).isInstanceOf(TopicAuthorizationException.class);
        }
    }
}
