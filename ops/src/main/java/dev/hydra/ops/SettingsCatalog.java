package dev.hydra.ops;

import dev.hydra.topics.config.HydraConfig;
import dev.hydra.topics.config.KnownSettings;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads every {@code dev.hydra.*Settings} class on the classpath, so that each setting they declare
 * is known to {@link KnownSettings} before a configuration is checked. Nothing lists the classes: a
 * module adding a {@code FooSettings} class (or a constant to one) is covered without another edit.
 */
final class SettingsCatalog {
    private static volatile boolean loaded;

    private SettingsCatalog() {
    }

    /** Refuses unknown keys and bad values of {@code config} before anything starts. */
    static HydraConfig checked(HydraConfig config) {
        loadAll();
        KnownSettings.check(config);
        return config;
    }

    static synchronized void loadAll() {
        if (loaded) {
            return;
        }
        for (String name : classNames()) {
            try {
                Class.forName(name, true, SettingsCatalog.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load settings class " + name, e);
            }
        }
        loaded = true;
    }

    static List<String> classNames() {
        List<String> names = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    files.map(f -> path.relativize(f).toString().replace(File.separatorChar, '/'))
                            .filter(SettingsCatalog::isSettingsClass).forEach(f -> names.add(className(f)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else if (path.getFileName() != null && path.getFileName().toString().startsWith("hydra-")
                    && Files.isRegularFile(path)) {
                try (JarFile jar = new JarFile(path.toFile())) {
                    for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                        String file = entries.nextElement().getName();
                        if (isSettingsClass(file)) {
                            names.add(className(file));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + path, e);
                }
            }
        }
        return names;
    }

    private static boolean isSettingsClass(String file) {
        return file.startsWith("dev/hydra/") && file.endsWith("Settings.class") && !file.contains("$");
    }

    private static String className(String file) {
        return file.substring(0, file.length() - ".class".length()).replace('/', '.');
    }
}
