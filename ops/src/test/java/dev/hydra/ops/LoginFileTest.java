package dev.hydra.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.UsernamePasswordCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's logins follow the file {@code hydra approvers} writes. Two writes within the file
 * system's clock granularity (or an mtime put back) left the older logins in force: a removed login
 * or a replaced password still let its holder in.
 */
class LoginFileTest {
    @TempDir
    Path dir;
    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static boolean logsIn(AuthenticationProvider logins, String name, String password) {
        try {
            logins.authenticate(new UsernamePasswordCredentials(name, password)).toCompletionStage()
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            return true;
        } catch (Exception refused) {
            return false;
        }
    }

    @Test
    void aRemovedLoginOrAReplacedPasswordNoLongerLogsInEvenIfTheFileKeepsItsTime() throws Exception {
        Path file = dir.resolve("approvers");
        Logins.put(file, "admin", "approver-secret-1");
        Logins.put(file, "mallory", "outsider-secret-1");
        AuthenticationProvider logins = Logins.provider(vertx, file);
        assertThat(logsIn(logins, "mallory", "outsider-secret-1")).isTrue();

        FileTime before = Files.getLastModifiedTime(file);
        Logins.remove(file, "mallory");
        Logins.put(file, "admin", "a-new-secret-2");
        Files.setLastModifiedTime(file, before); // as two writes within one tick of a coarse clock leave it

        assertThat(logsIn(logins, "mallory", "outsider-secret-1")).as("the removed login").isFalse();
        assertThat(logsIn(logins, "admin", "approver-secret-1")).as("the replaced password").isFalse();
        assertThat(logsIn(logins, "admin", "a-new-secret-2")).as("the new password").isTrue();
    }
}
