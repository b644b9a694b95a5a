package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedTokensTest {

    @TempDir
    Path directory;

    @Test
    void generatesALongRandomTokenPerProviderAndKeepsIt() throws Exception {
        Path file = directory.resolve("data").resolve("generated-tokens.properties");
        GeneratedTokens tokens = new GeneratedTokens(file);

        String smsby = tokens.tokenFor("smsby");
        String vonage = tokens.tokenFor("vonage");

        assertThat(smsby)
                .hasSizeGreaterThanOrEqualTo(40)
                .matches("[A-Za-z0-9_-]+")
                .isNotEqualTo(vonage);
        assertThat(tokens.tokenFor("smsby")).isEqualTo(smsby);
        assertThat(Files.readAllLines(file)).contains("smsby.tokens=" + smsby, "vonage.tokens=" + vonage);
    }

    @Test
    void aRestartReadsTheSameTokens() {
        Path file = directory.resolve("generated-tokens.properties");
        String before = new GeneratedTokens(file).tokenFor("smsby");

        assertThat(new GeneratedTokens(file).tokenFor("smsby")).isEqualTo(before);
    }

    @Test
    void keepsATokenTheOperatorWroteIntoTheFile() throws Exception {
        Path file = directory.resolve("generated-tokens.properties");
        Files.writeString(file, "smsby.tokens = chosen-by-the-operator\n");

        assertThat(new GeneratedTokens(file).tokenFor("smsby")).isEqualTo("chosen-by-the-operator");
    }

    @Test
    void onlyTheOwnerMayReadTheFile() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path file = directory.resolve("generated-tokens.properties");

        new GeneratedTokens(file).tokenFor("smsby");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(directory).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void saysWhichFileItCannotWrite() throws Exception {
        Files.writeString(directory.resolve("plain-file"), "x");
        Path file = directory.resolve("plain-file").resolve("generated-tokens.properties");

        assertThatThrownBy(() -> new GeneratedTokens(file).tokenFor("smsby"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(file.toString());
    }
}
