package io.dlrhub.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken adapter or mapping file stops the start with a message naming the file and line, not a
 * 500 at the first webhook.
 */
class BrokenRouteFilesTest {

    @TempDir
    Path directory;

    @Test
    void aMisspeltParameterStopsTheStartNamingFileAndLine() throws IOException {
        Path routes = copyOfRoutes();
        edit(
                routes.resolve("smsby.camel.yaml"),
                "              messageId: message_id",
                "              mesageId: message_id");

        assertThatThrownBy(() -> start(routes))
                .satisfies(e -> assertThat(messages(e))
                        .contains("smsby.camel.yaml line 18: dlr:event has no parameter mesageId"));
    }

    @Test
    void aMissingRequiredParameterStopsTheStartNamingFileAndLine() throws IOException {
        Path routes = copyOfRoutes();
        edit(routes.resolve("vonage.camel.yaml"), "              messageId: messageId\n", "");

        assertThatThrownBy(() -> start(routes))
                .satisfies(e -> assertThat(messages(e))
                        .contains("vonage.camel.yaml line ")
                        .contains("dlr:event needs messageId: the webhook field that holds the provider's message id"));
    }

    @Test
    void aBrokenStatusMappingStopsTheStartNamingFileAndLine() throws IOException {
        Path routes = copyOfRoutes();
        edit(routes.resolve("mappings/smsby.properties"), "DELIVERED = DELIVERED", "DELIVERED = DELIVERD");
        int line =
                Files.readAllLines(routes.resolve("mappings/smsby.properties")).indexOf("DELIVERED = DELIVERD") + 1;

        assertThatThrownBy(() -> start(routes))
                .satisfies(e -> assertThat(messages(e))
                        .contains("smsby.camel.yaml line 18: ")
                        .contains("mappings/smsby.properties:" + line + ": DELIVERED is mapped to 'DELIVERD'"));
    }

    @Test
    void aMappingFileThatDoesNotExistStopsTheStart() throws IOException {
        Path routes = copyOfRoutes();
        edit(routes.resolve("twilio.camel.yaml"), "              mapping: twilio", "              mapping: twillio");

        assertThatThrownBy(() -> start(routes))
                .satisfies(e -> assertThat(messages(e))
                        .contains("twilio.camel.yaml line ")
                        .contains("mappings/twillio.properties does not exist"));
    }

    @Test
    void anEndpointThatIsNotPartOfTheContractIsRefused() throws IOException {
        Path routes = copyOfRoutes();
        edit(routes.resolve("smsby.camel.yaml"), "            uri: dlr:event", "            uri: dlr:events");

        assertThatThrownBy(() -> start(routes))
                .satisfies(e -> assertThat(messages(e))
                        .contains("smsby.camel.yaml line 18: dlr:events is not a dlr-hub endpoint"));
    }

    static String messages(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append(" | ");
        }
        return text.toString();
    }

    RunningHub start(Path routes) {
        return RunningHub.start(
                TestDatabase.h2InMemory(),
                Map.of(
                        "smsby.tokens",
                        "tok",
                        "routes.dir",
                        routes.toString(),
                        "mappings.dir",
                        routes.resolve("mappings").toString()));
    }

    static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to));
    }

    Path copyOfRoutes() throws IOException {
        Path routes = directory.resolve("routes");
        Files.createDirectories(routes.resolve("mappings"));
        for (String folder : new String[] {"", "mappings"}) {
            try (Stream<Path> files = Files.list(Path.of("routes", folder))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, routes.resolve(folder).resolve(file.getFileName()));
                }
            }
        }
        return routes;
    }
}
