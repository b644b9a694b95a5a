package io.dlrhub.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusMappingsTest {

    private final StatusMappings shipped = new StatusMappings(Path.of("routes/mappings"));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "NEW, QUEUED",
        "SENT, SENT",
        "DELIVERED, DELIVERED",
        "NOT_DELIVERED, FAILED",
        "READ, READ",
        "EXPIRED, FAILED",
        "REJECTED, FAILED",
        "ERROR, FAILED",
        "FAILED, FAILED"
    })
    void shippedSmsbyMappingMapsTheProviderWords(String word, CanonicalStatus expected) {
        assertThat(shipped.map("smsby", word)).isEqualTo(expected);
    }

    @Test
    void wordsAreMatchedIgnoringCase() {
        assertThat(shipped.map("smsby", "delivered")).isEqualTo(CanonicalStatus.DELIVERED);
        assertThat(shipped.map("smsby", "Not_Delivered")).isEqualTo(CanonicalStatus.FAILED);
    }

    @Test
    void anUnlistedWordIsUnknown() {
        assertThat(shipped.map("smsby", "SOMETHING_NEW")).isEqualTo(CanonicalStatus.UNKNOWN);
    }

    @Test
    void withoutAMappingFileEveryWordIsUnknown(@TempDir Path dir) {
        StatusMappings mappings = new StatusMappings(dir);

        assertThat(mappings.map("nobody", "DELIVERED")).isEqualTo(CanonicalStatus.UNKNOWN);
        assertThat(mappings.map("nobody", "FAILED")).isEqualTo(CanonicalStatus.UNKNOWN);
    }

    @Test
    void anEditedFileIsPickedUpByTheNextLookup(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("acme.properties");
        Files.writeString(file, "OK = DELIVERED\n");
        StatusMappings mappings = new StatusMappings(dir, java.time.Duration.ZERO);
        assertThat(mappings.map("acme", "OK")).isEqualTo(CanonicalStatus.DELIVERED);
        assertThat(mappings.map("acme", "SEEN")).isEqualTo(CanonicalStatus.UNKNOWN);

        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, "OK = SENT\nSEEN = READ\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 10_000));

        assertThat(mappings.map("acme", "OK")).isEqualTo(CanonicalStatus.SENT);
        assertThat(mappings.map("acme", "SEEN")).isEqualTo(CanonicalStatus.READ);
    }

    @Test
    void aNonCanonicalTargetIsRefusedNamingTheFileLineAndWord(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("acme.properties");
        Files.writeString(file, "OK = DELIVERED\nGARBLED = BOGUS\n");
        StatusMappings mappings = new StatusMappings(dir);

        assertThatThrownBy(() -> mappings.check("acme"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file + ":2: GARBLED is mapped to 'BOGUS'");
    }

    @Test
    void aLineWithoutAStatusOrAWordListedTwiceIsRefusedWithItsLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("acme.properties");
        Files.writeString(file, "# comment\nDELIVERED\n");
        assertThatThrownBy(() -> new StatusMappings(dir).check("acme"))
                .hasMessageContaining(file + ":2: 'DELIVERED' is not of the form WORD = STATUS");

        Files.writeString(file, "ok = DELIVERED\n\nOK = FAILED\n");
        assertThatThrownBy(() -> new StatusMappings(dir).check("acme"))
                .hasMessageContaining(file + ":3: OK is already mapped on line 1");

        assertThatThrownBy(() -> new StatusMappings(dir).check("nobody"))
                .hasMessageContaining("nobody.properties does not exist");
    }

    @Test
    void aBrokenEditIsRefusedAndTheLastGoodMappingGoesOnServing(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("acme.properties");
        Files.writeString(file, "OK = DELIVERED\n");
        StatusMappings mappings = new StatusMappings(dir, java.time.Duration.ZERO);
        mappings.check("acme");

        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, "OK = DELIVERD\nSEEN = READ\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 10_000));

        assertThat(mappings.map("acme", "OK")).isEqualTo(CanonicalStatus.DELIVERED);
        assertThat(mappings.map("acme", "SEEN"))
                .as("nothing of the broken edit is used")
                .isEqualTo(CanonicalStatus.UNKNOWN);

        Files.writeString(file, "OK = DELIVERED\nSEEN = READ\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 20_000));
        assertThat(mappings.map("acme", "SEEN"))
                .as("the next good save is used")
                .isEqualTo(CanonicalStatus.READ);
    }
}
