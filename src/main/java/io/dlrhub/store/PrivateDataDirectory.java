package io.dlrhub.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;

/**
 * The embedded database holds every event (and the CRM payloads): H2 creates its files with the
 * process umask, 0644 by default, readable by every local user. A directory created for it (the
 * default ./data on a first start) is 0700, so files created later are out of reach whatever their
 * mode; the database's own files are made 0600 before and after H2 opens them (an existing
 * directory keeps its mode: it may be shared).
 */
final class PrivateDataDirectory {

    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateDataDirectory() {}

    /** The database path (without H2's file suffix) of an embedded file URL, or null for any other URL. */
    static Path databasePath(String jdbcUrl) {
        String lower = jdbcUrl.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("jdbc:h2:")) {
            return null;
        }
        String location = jdbcUrl.substring("jdbc:h2:".length());
        int options = location.indexOf(';');
        location = options < 0 ? location : location.substring(0, options);
        for (String prefix : new String[] {"async:", "file:", "nio:", "split:"}) {
            if (location.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                location = location.substring(prefix.length());
            }
        }
        if (location.isEmpty()
                || location.toLowerCase(Locale.ROOT).startsWith("mem:")
                || location.contains("://")
                || location.indexOf(':') > 1) {
            return null; // in memory, a server, or a file system this rule does not know
        }
        if (location.startsWith("~")) {
            location = System.getProperty("user.home") + location.substring(1);
        }
        return Path.of(location).toAbsolutePath().normalize();
    }

    /** Before H2 opens the database: its directory exists and only the service's user may enter it. */
    static void prepare(String jdbcUrl) {
        Path database = databasePath(jdbcUrl);
        if (database == null || database.getParent() == null) {
            return;
        }
        Path directory = database.getParent();
        try {
            if (!Files.exists(directory)) {
                Files.createDirectories(directory);
                // only a directory made here: an existing one may be shared (/tmp, a home directory)
                Files.setPosixFilePermissions(directory, OWNER_DIRECTORY);
            }
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the directory's ACL applies
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the database directory " + directory + " private", e);
        }
    }

    /** Once H2 has created them: the database's files (name.mv.db, name.trace.db, ...) are 0600. */
    static void restrictFiles(String jdbcUrl) {
        Path database = databasePath(jdbcUrl);
        if (database == null || database.getParent() == null || !Files.isDirectory(database.getParent())) {
            return;
        }
        String name = database.getFileName().toString() + ".";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(database.getParent(), name + "*")) {
            for (Path file : files) {
                if (Files.isRegularFile(file)) {
                    Files.setPosixFilePermissions(file, OWNER_FILE);
                }
            }
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the directory's ACL applies
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the database files in " + database.getParent() + " private", e);
        }
    }
}
