package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hydra.topics.config.HydraConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackEndpointsTest {
    @TempDir
    Path data;

    private HydraConfig config(Map<String, String> env) {
        return HydraConfig.of("kafka: {bootstrap: 'file:9092'}\nhttp: {port: 8701}\ndata: {dir: '" + data + "'}\n", env);
    }

    @Test
    void theRunningStackWinsOverTheFileTheEnvironmentOverTheStackAndTheFlagOverAll() throws Exception {
        StackFile.ofThisProcess("127.0.0.1:39092", "http://127.0.0.1:38701").write(data);

        assertThat(StackEndpoints.bootstrap(null, config(Map.of()))).isEqualTo("127.0.0.1:39092");
        assertThat(StackEndpoints.httpUrl(null, config(Map.of()))).isEqualTo("http://127.0.0.1:38701");

        HydraConfig env = config(Map.of("HYDRA_KAFKA_BOOTSTRAP", "env:9092", "HYDRA_HTTP_PORT", "38999"));
        assertThat(StackEndpoints.bootstrap(null, env)).isEqualTo("env:9092");
        assertThat(StackEndpoints.httpUrl(null, env)).isEqualTo("http://127.0.0.1:38999");
        assertThat(StackEndpoints.httpUrl(null, config(Map.of("HYDRA_HTTP_URL", "http://h:1/"))))
                .isEqualTo("http://h:1");

        assertThat(StackEndpoints.bootstrap("flag:9092", env)).isEqualTo("flag:9092");
        assertThat(StackEndpoints.httpUrl("http://flag:2", env)).isEqualTo("http://flag:2");
    }

    @Test
    void aStackFileWhoseProcessIsGoneIsIgnored() throws Exception {
        long deadPid = new ProcessBuilder("true").start().onExit().get().pid();
        new StackFile("127.0.0.1:39092", "http://127.0.0.1:38701", deadPid, Instant.now()).write(data);

        assertThat(StackFile.read(data)).isEmpty();
        assertThat(StackEndpoints.bootstrap(null, config(Map.of()))).isEqualTo("file:9092");
        assertThat(StackEndpoints.httpUrl(null, config(Map.of()))).isEqualTo("http://127.0.0.1:8701");
    }

    @Test
    void onlyTheOwningProcessRemovesItsStackFile() throws Exception {
        StackFile.ofThisProcess("127.0.0.1:39092", "http://127.0.0.1:38701").write(data);
        StackFile.removeOwn(data);
        assertThat(StackFile.in(data)).doesNotExist();
    }
}
