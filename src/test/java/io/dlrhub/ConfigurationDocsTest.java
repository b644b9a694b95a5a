package io.dlrhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the one place every setting is documented: each key of
 * application.properties appears there, by its key or by its environment variable. Camel's own
 * camel.* keys and the per-sink sink.* defaults are wiring, documented as SINK_<NAME>_* rows.
 */
class ConfigurationDocsTest {

    @Test
    void everySettingOfApplicationPropertiesIsDocumented() throws IOException {
        Properties properties = new Properties();
        try (Reader reader =
                Files.newBufferedReader(Path.of("src/main/resources/application.properties"), StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        String docs = Files.readString(Path.of("docs/configuration.md"));
        List<String> undocumented = properties.stringPropertyNames().stream()
                .sorted()
                .filter(key -> !key.startsWith("camel.") && !key.startsWith("sink."))
                .filter(key -> !docs.contains("`" + key + "`")
                        && !docs.contains("`" + SettingValues.environmentName(key) + "`"))
                .toList();
        assertThat(undocumented)
                .as("settings of application.properties missing from docs/configuration.md")
                .isEmpty();
    }
}
