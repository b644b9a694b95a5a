package io.dlrhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutesDirectoryTest {

    @Test
    void aRelativeFolderMissingHereIsFoundInTheInstallation(@TempDir Path installation) throws Exception {
        Files.createDirectories(installation.resolve("routes-" + installation.getFileName()));
        Path relative = Path.of("routes-" + installation.getFileName());

        assertThat(RoutesDirectory.locate(relative, installation)).isEqualTo(installation.resolve(relative));
    }

    @Test
    void aFolderFoundNowhereStopsTheStartNamingTheSetting(@TempDir Path installation) {
        assertThatThrownBy(() -> RoutesDirectory.locate(Path.of("no-such-routes"), installation))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'no-such-routes' does not exist")
                .hasMessageContaining(installation.toString())
                .hasMessageContaining("ROUTES_DIR");
    }
}
