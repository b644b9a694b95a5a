package io.dlrhub.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17: the default embedded database file was world-readable (0644). */
class PrivateDataDirectoryTest {

    @Test
    void theEmbeddedDatabaseAndItsDirectoryAreTheServiceUsersOnly(@TempDir Path root) throws Exception {
        Path data = root.resolve("data");
        // the default URL's form, in a directory that does not exist yet (as ./data on a first start)
        String url = "jdbc:h2:file:" + data.resolve("dlr-hub") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                + "DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE";
        TestDatabase database = TestDatabase.h2InMemory();
        Map<String, String> settings = new java.util.HashMap<>(database.settings());
        settings.put("db.url", url);
        try (RunningHub hub = RunningHub.start(database, settings)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                    .isEqualTo("rwx------");
            List<Path> files;
            try (var listing = Files.list(data)) {
                files = listing.filter(f -> f.getFileName().toString().startsWith("dlr-hub."))
                        .toList();
            }
            assertThat(files).as("database files").isNotEmpty();
            for (Path file : files) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                        .as(file.toString())
                        .isEqualTo("rw-------");
            }
        }
    }
}
