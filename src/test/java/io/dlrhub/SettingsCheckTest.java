package io.dlrhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A typed setting added later is checked at start and documented by type too. */
class SettingsCheckTest {

    private static final Pattern TYPED_READ = Pattern.compile("get(Boolean|Int|Long|Duration)\\(\"([^\"]+)\"");

    @Test
    void everyTypedSettingTheCodeReadsIsInTheStartUpCheckAndTheReadme() throws IOException {
        Set<String> read = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source :
                    sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher reads = TYPED_READ.matcher(Files.readString(source));
                while (reads.find()) {
                    read.add(reads.group(2));
                }
            }
        }
        List<String> checked = new ArrayList<>(SettingsCheck.BOOLEANS);
        checked.addAll(SettingsCheck.NUMBERS);
        checked.addAll(SettingsCheck.DURATIONS);
        assertThat(read).isNotEmpty();
        assertThat(checked).containsAll(read);

        String readme = Files.readString(Path.of("docs/configuration.md"));
        for (String key : checked) {
            String variable = SettingValues.environmentName(key);
            boolean duration = key.endsWith("-ms") || key.endsWith("-seconds");
            assertThat(duration || readme.contains("`" + variable + "`, ") || readme.contains("`" + variable + "` |"))
                    .as(variable + " in docs/configuration.md's table of typed settings")
                    .isTrue();
            assertThat(readme).as(variable + " in docs/configuration.md").contains("`" + variable + "`");
        }
    }
}
