package dev.hydra.memory;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Date;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postgres refuses to run as root, and Hydra's containers and CI often do. When the JVM runs as
 * root, this resolver hands zonky a copy of its Postgres binaries in which {@code initdb},
 * {@code pg_ctl} and {@code postgres} are wrappers that run the real programs as an unprivileged
 * user of a private user namespace ({@code unshare --user}), mapped back to root outside, so the
 * data files stay root's. Not root: zonky's binaries, untouched.
 */
final class RootSafePostgresBinaries implements PgBinaryResolver {
    private static final Logger LOG = LoggerFactory.getLogger(RootSafePostgresBinaries.class);
    private static final Set<String> WRAPPED = Set.of("bin/initdb", "bin/pg_ctl", "bin/postgres");
    private static final String WRAPPER = """
            #!/bin/sh
            # Written by Hydra: Postgres refuses to run as root, so as root run it as an unprivileged user
            # (nobody) of a private user namespace that maps back to root outside.
            real="$0.real"
            if [ "$(id -u)" = "0" ]; then
              exec unshare --user --map-user=65534 --map-group=65534 "$real" "$@"
            fi
            exec "$real" "$@"
            """;
    /** Bump when the wrapper changes, so a cached copy is rebuilt. */
    private static final String VERSION = "1";

    static final RootSafePostgresBinaries INSTANCE = new RootSafePostgresBinaries();

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
        InputStream original = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
        if (!runningAsRoot() || !"Linux".equalsIgnoreCase(system)) {
            return original;
        }
        Path cache = Path.of(System.getProperty("java.io.tmpdir"), "hydra-embedded-pg",
                "postgres-" + system + "-" + machineHardware + "-userns-v" + VERSION + ".txz");
        synchronized (RootSafePostgresBinaries.class) {
            if (!Files.exists(cache)) {
                LOG.info("running as root: preparing Postgres binaries that run in a user namespace ({})", cache);
                Files.createDirectories(cache.getParent());
                Path tmp = Files.createTempFile(cache.getParent(), "repack", ".txz");
                try (InputStream in = original; OutputStream out = Files.newOutputStream(tmp)) {
                    repack(in, out);
                }
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                original.close();
            }
        }
        return new BufferedInputStream(Files.newInputStream(cache));
    }

    private static void repack(InputStream txz, OutputStream out) throws IOException {
        byte[] script = WRAPPER.getBytes(StandardCharsets.UTF_8);
        Date fixed = new Date(0); // a stable archive, so zonky's content hash (its cache key) is stable
        try (TarArchiveInputStream tin = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(txz)));
             TarArchiveOutputStream tout = new TarArchiveOutputStream(
                     new XZOutputStream(new BufferedOutputStream(out), new LZMA2Options(0)))) {
            tout.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry entry;
            while ((entry = tin.getNextEntry()) != null) {
                boolean wrap = WRAPPED.contains(entry.getName());
                if (wrap) {
                    entry.setName(entry.getName() + ".real");
                }
                tout.putArchiveEntry(entry);
                if (entry.isFile()) {
                    tin.transferTo(tout);
                }
                tout.closeArchiveEntry();
                if (wrap) {
                    TarArchiveEntry wrapper = new TarArchiveEntry(entry.getName().replace(".real", ""));
                    wrapper.setMode(0755);
                    wrapper.setSize(script.length);
                    wrapper.setModTime(fixed);
                    tout.putArchiveEntry(wrapper);
                    tout.write(script);
                    tout.closeArchiveEntry();
                }
            }
        }
    }
}
