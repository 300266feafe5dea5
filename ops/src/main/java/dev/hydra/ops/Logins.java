package dev.hydra.ops;

import dev.hydra.topics.config.DataSettings;
import dev.hydra.topics.config.HydraConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.hashing.HashingStrategy;
import io.vertx.ext.auth.htpasswd.HtpasswdAuth;
import io.vertx.ext.auth.htpasswd.HtpasswdAuthOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The people who may log in: an htpasswd file ({@code NAME:HASH} per line) whose hashes are Vert.x's
 * PBKDF2-HMAC-SHA512 in PHC form ({@code $pbkdf2$it=…$salt$hash}), written by {@code hydra approvers
 * add} and checked by Vert.x's own {@link HtpasswdAuth}. Whether a person may decide is the
 * constitution's {@code approvers} list, not this file.
 */
final class Logins {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    /** OWASP's figure for PBKDF2-HMAC-SHA512; a login costs ~0.2 s of one core, a guess as much. */
    private static final String ITERATIONS = "210000";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Logins() {
    }

    /** The file: {@code console.approversFile}, or {@code <data.dir>/approvers}. */
    static Path file(HydraConfig config) {
        String file = config.get(OpsSettings.APPROVERS_FILE);
        return file.isEmpty() ? DataSettings.dataDir(config).resolve("approvers") : Path.of(file);
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a login name is 1 to 64 letters, digits, '.', '_', '@' or '-', was '" + name + "'");
        }
        return name;
    }

    /** Adds {@code name} or replaces its password. */
    static void put(Path file, String name, String password) {
        checkName(name);
        if (password.length() < 8) {
            throw new IllegalArgumentException("the password of " + name + " must have at least 8 characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String hash = HashingStrategy.load().hash("pbkdf2", Map.of("it", ITERATIONS),
                Base64.getEncoder().encodeToString(salt), password);
        List<String> lines = new ArrayList<>(lines(file).stream().filter(l -> !l.startsWith(name + ":")).toList());
        lines.add(name + ":" + hash);
        write(file, lines);
    }

    /** Removes {@code name}; false when it was not there. */
    static boolean remove(Path file, String name) {
        List<String> lines = lines(file);
        List<String> kept = lines.stream().filter(l -> !l.startsWith(name + ":")).toList();
        if (kept.size() == lines.size()) {
            return false;
        }
        write(file, kept);
        return true;
    }

    static List<String> names(Path file) {
        return lines(file).stream().filter(l -> l.contains(":") && !l.startsWith("#"))
                .map(l -> l.substring(0, l.indexOf(':'))).toList();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the logins in " + file, e);
        }
    }

    private static void write(Path file, List<String> lines) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".approvers", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, lines);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the logins in " + file, e);
        }
    }

    /**
     * Vert.x's htpasswd provider over the file, reloaded when the file changes, so a person added
     * with {@code hydra approvers add} can log in without a restart. A missing file lets nobody in.
     */
    static AuthenticationProvider provider(Vertx vertx, Path file) {
        return new AuthenticationProvider() {
            private byte[] loaded;
            private AuthenticationProvider current;

            @Override
            public synchronized Future<User> authenticate(Credentials credentials) {
                if (!Files.exists(file)) {
                    return Future.failedFuture("no logins yet: add one with `hydra approvers add NAME` (file " + file + ")");
                }
                try {
                    // Compared by content, not by mtime: two writes within one tick of the file system's
                    // clock (or an mtime put back) left a removed login or a replaced password in force.
                    byte[] content = Files.readAllBytes(file);
                    if (current == null || !java.util.Arrays.equals(content, loaded)) {
                        current = HtpasswdAuth.create(vertx, new HtpasswdAuthOptions().setHtpasswdFile(file.toString()));
                        loaded = content;
                    }
                } catch (IOException e) {
                    return Future.failedFuture(e);
                }
                AuthenticationProvider provider = current;
                // PBKDF2 takes a good part of a second by design: not on the event loop.
                return vertx.executeBlocking(() -> {
                    Future<User> checked = provider.authenticate(credentials);
                    if (checked.failed()) {
                        throw new IllegalArgumentException(checked.cause().getMessage(), checked.cause());
                    }
                    return checked.result();
                }, false);
            }
        };
    }
}
