package io.dlrhub.ingress;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/extending.md "Extending: adding a provider", done exactly as written there: the two files are
 * taken out of the document, dropped into a routes folder next to the shipped ones, and the provider works
 * with no Java.
 */
class CustomProviderTest {

    @TempDir
    Path routes;

    @Test
    void aProviderMadeOfTheGuidesTwoFilesStoresItsReportsAndRefusesBadOnes() throws IOException {
        String readme = Files.readString(Path.of("docs/extending.md"));
        copyShippedRoutes();
        Files.writeString(routes.resolve("acme.camel.yaml"), block(readme, "routes/acme.camel.yaml", "yaml"));
        Files.writeString(
                routes.resolve("mappings/acme.properties"),
                block(readme, "routes/mappings/acme.properties", "properties"));

        TestDatabase database = TestDatabase.h2InMemory();
        try (RunningHub hub =
                RunningHub.start(database, Map.of("routes.dir", routes.toString(), "acme.tokens", "acme-token"))) {
            Reply delivered = hub.post(
                    "/webhooks/acme?token=acme-token",
                    FORM,
                    "msgid=A-1&state=DELIVRD&err=000&donedate=20261127100001&price=0.01");
            assertThat(delivered.status()).as(delivered.toString()).isEqualTo(200);
            Map<String, Object> row = Sql.rows(database, "SELECT * FROM delivery_event WHERE provider = 'acme'")
                    .get(0);
            assertThat(row)
                    .containsEntry("channel", "SMS")
                    .containsEntry("message_id", "A-1")
                    .containsEntry("status", "DELIVERED")
                    .containsEntry("provider_status", "DELIVRD")
                    .containsEntry("error_code", "000");
            assertThat(row.get("payload").toString())
                    .contains("\"occurred_at\":\"2026-11-27T10:00:01Z\"")
                    .contains("\"price\":\"0.01\"");

            assertThat(hub.post("/webhooks/acme?token=acme-token", FORM, "msgid=A-2&state=UNDELIV")
                            .status())
                    .isEqualTo(200);
            assertThat(hub.post("/webhooks/acme?token=acme-token", FORM, "state=UNDELIV")
                            .field("message"))
                    .isEqualTo("msgid is missing");
            assertThat(hub.post("/webhooks/acme?token=wrong", FORM, "msgid=A-3&state=UNDELIV")
                            .status())
                    .isEqualTo(401);
            assertThat(
                            Sql.rows(
                                    database,
                                    "SELECT message_id, status FROM delivery_event WHERE provider = 'acme' ORDER BY message_id"))
                    .extracting(r -> r.get("message_id") + "=" + r.get("status"))
                    .containsExactly("A-1=DELIVERED", "A-2=FAILED");
        }
    }

    /** The fenced block that follows the README line naming the file, without its list indentation. */
    static String block(String readme, String file, String language) {
        Matcher matcher = Pattern.compile(
                        "`" + Pattern.quote(file) + "`:\\s*\\n\\s*```" + language + "\\n(.*?)\\n\\s*```",
                        Pattern.DOTALL)
                .matcher(readme);
        assertThat(matcher.find()).as("docs/extending.md shows " + file).isTrue();
        List<String> lines = matcher.group(1).lines().toList();
        int indent = lines.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        return String.join(
                        "\n",
                        lines.stream()
                                .map(l -> l.length() >= indent ? l.substring(indent) : l.strip())
                                .toList())
                + "\n";
    }

    private void copyShippedRoutes() throws IOException {
        Files.createDirectories(routes.resolve("mappings"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        try (Stream<Path> files = Files.list(Path.of("routes/mappings"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve("mappings").resolve(file.getFileName()));
            }
        }
    }
}
