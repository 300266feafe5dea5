package dev.hydra.memory;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code hydra} Postgres database: the backlog tables the state assessor works from
 * ({@code features}, {@code knowledge_gaps}, {@code services}, streamed by {@link ChangeCapture})
 * and {@code audit_log} ({@link AuditLogSink}). Either an embedded Postgres under the data
 * directory (zonky, started with {@code wal_level=logical} so it can be change-captured), or an
 * existing server named by a JDBC URL. Tables are created if missing; existing ones are left alone.
 */
public final class BacklogDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BacklogDatabase.class);
    public static final String DATABASE = "hydra";
    /** The tables streamed to {@code hydra.cdc.<table>}. */
    public static final List<String> CAPTURED_TABLES = List.of("features", "knowledge_gaps", "services");

    private static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS features (
              id bigserial PRIMARY KEY,
              name text NOT NULL,
              status text NOT NULL DEFAULT 'planned',
              description text NOT NULL DEFAULT '',
              priority int NOT NULL DEFAULT 3,
              updated_at timestamptz NOT NULL DEFAULT now())""", """
            CREATE TABLE IF NOT EXISTS knowledge_gaps (
              id bigserial PRIMARY KEY,
              topic text NOT NULL,
              description text NOT NULL DEFAULT '',
              resolved boolean NOT NULL DEFAULT false,
              created_at timestamptz NOT NULL DEFAULT now())""", """
            CREATE TABLE IF NOT EXISTS services (
              name text PRIMARY KEY,
              health_url text NOT NULL DEFAULT '',
              status text NOT NULL DEFAULT 'unknown',
              updated_at timestamptz NOT NULL DEFAULT now())""", """
            CREATE TABLE IF NOT EXISTS audit_log (
              id text PRIMARY KEY,
              subject_kind text NOT NULL,
              subject_id text NOT NULL,
              action text NOT NULL,
              verdict text,
              constraint_name text NOT NULL DEFAULT '',
              reason text NOT NULL DEFAULT '',
              actor text NOT NULL DEFAULT '',
              constitution_sha256 text NOT NULL DEFAULT '',
              at timestamptz NOT NULL,
              prev_hash text NOT NULL DEFAULT '',
              hash text NOT NULL DEFAULT '',
              record jsonb NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at)",
            // Deletes and updates then carry the whole old row, so hydra.cdc.* events have a full "before".
            "ALTER TABLE features REPLICA IDENTITY FULL",
            "ALTER TABLE knowledge_gaps REPLICA IDENTITY FULL",
            "ALTER TABLE services REPLICA IDENTITY FULL");

    /** Where Debezium connects: the parts of the JDBC URL. */
    public record Endpoint(String host, int port, String database, String user, String password) {
    }

    private final EmbeddedPostgres embedded;
    private final String jdbcUrl;
    private final Endpoint endpoint;

    private BacklogDatabase(EmbeddedPostgres embedded, String jdbcUrl, String user, String password) {
        this.embedded = embedded;
        this.jdbcUrl = jdbcUrl;
        this.endpoint = endpoint(jdbcUrl, user, password);
    }

    /** Starts (or restarts, keeping its data) an embedded Postgres in {@code directory}; port 0 picks one. */
    public static BacklogDatabase embedded(Path directory, int port) {
        EmbeddedPostgres postgres = null;
        try {
            Files.createDirectories(directory);
            stopOrphan(directory.resolve("data"));
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(directory.resolve("data"))
                    .setCleanDataDirectory(false)
                    .setPgBinaryResolver(RootSafePostgresBinaries.INSTANCE)
                    // Stopped by close(), after the change capture reading from it: zonky's own hook
                    // would stop it in parallel with Hydra's shutdown, under a streaming Debezium.
                    .setRegisterShutdownHook(false)
                    .setServerConfig("wal_level", "logical")
                    // zonky turns this off for tests; the audit log and the backlog must survive a crash.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_replication_slots", "4")
                    .setServerConfig("max_wal_senders", "4")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (port > 0) {
                builder.setPort(port);
            }
            postgres = builder.start();
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                if (!s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'").next()) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
            String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE + "?user=postgres";
            BacklogDatabase database = new BacklogDatabase(postgres, url, "postgres", "");
            database.createSchema();
            LOG.info("embedded Postgres (wal_level=logical) in {}: {}", directory, url);
            return database;
        } catch (IOException e) {
            closeQuietly(postgres);
            throw new UncheckedIOException("cannot start the embedded Postgres in " + directory, e);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(postgres);
            throw new IllegalStateException("cannot prepare the embedded Postgres in " + directory, e);
        }
    }

    /**
     * An existing Postgres (which must run with {@code wal_level=logical} for change capture). User
     * and password in the URL win over {@code user} and {@code password}.
     */
    public static BacklogDatabase external(String jdbcUrl, String user, String password) {
        BacklogDatabase database = new BacklogDatabase(null, jdbcUrl, user, password);
        try {
            database.createSchema();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the hydra tables at " + redact(jdbcUrl), e);
        }
        return database;
    }

    /**
     * A JVM killed with -9 leaves its Postgres running, and a second postmaster cannot start on the
     * same data directory: stop the orphan (smart shutdown; its clients died with the JVM).
     */
    private static void stopOrphan(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (RuntimeException e) {
            return; // unreadable: Postgres itself will judge the stale file
        }
        var orphan = ProcessHandle.of(pid)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (orphan.isPresent()) {
            LOG.warn("stopping Postgres {} left running on {} by an earlier run", pid, data);
            orphan.get().destroy();
            try {
                orphan.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping Postgres " + pid, e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("Postgres " + pid + " on " + data + " did not stop; stop it and retry", e);
            }
        }
    }

    private void createSchema() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String ddl : SCHEMA) {
                s.execute(ddl);
            }
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, endpoint.user(), endpoint.password());
    }

    static Endpoint endpoint(String jdbcUrl, String user, String password) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("not a Postgres JDBC URL: " + redact(jdbcUrl));
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        Map<String, String> params = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? DATABASE : uri.getPath().substring(1);
        return new Endpoint(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, database,
                params.getOrDefault("user", user), params.getOrDefault("password", password));
    }

    static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("password=[^&]*", "password=***");
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                LOG.warn("stopping the embedded Postgres", e);
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(embedded);
    }
}
