package io.dlrhub.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a newcomer runs it: its own process, the embedded default database (no DB_URL),
 * started from a folder that is neither the project nor holds route files. It is killed with
 * SIGKILL right after answering a series of webhooks {@code 200 accepted}; after the restart each
 * of them sent again must be a {@code duplicate}: acknowledged means on disk. (With H2's default
 * write delay, most of the last half second of answers was gone.)
 */
class EmbeddedCrashTest {

    private static final int WEBHOOKS_PER_ROUND = 60;
    private static final int ROUNDS = 2;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void killMinus9RightAfterTheAnswersLosesNoAcknowledgedWebhook(@TempDir Path workingDirectory) throws Exception {
        Map<String, String> environment = Map.of("SMSBY_TOKENS", Reliability.TOKEN, "LOG_LEVEL", "WARN");
        try (HubProcess hub = HubProcess.start("embedded-crash", environment, workingDirectory)) {
            for (int round = 1; round <= ROUNDS; round++) {
                List<String> acknowledged = new ArrayList<>();
                for (int i = 0; i < WEBHOOKS_PER_ROUND; i++) {
                    String id = "crash-" + round + "-" + i + "-" + UUID.randomUUID();
                    HttpResponse<String> answer = send(hub, id);
                    assertThat(answer.statusCode())
                            .as("answer to %s: %s", id, answer.body())
                            .isEqualTo(200);
                    assertThat(answer.body()).contains("\"accepted\"");
                    acknowledged.add(id);
                }
                hub.kill();
                hub.start();
                List<String> lost = new ArrayList<>();
                for (String id : acknowledged) {
                    HttpResponse<String> again = send(hub, id);
                    assertThat(again.statusCode())
                            .as("answer to the repeat of %s", id)
                            .isEqualTo(200);
                    if (!again.body().contains("\"duplicate\"")) {
                        lost.add(id);
                    }
                }
                assertThat(lost)
                        .as(
                                "round %d: acknowledged before the kill, then unknown after the restart (of %d)",
                                round, acknowledged.size())
                        .isEmpty();
            }
        }
        // form webhooks leave nothing in the working directory but the embedded database (no file-uploads/)
        try (Stream<Path> entries = Files.list(workingDirectory)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("data");
        }
    }

    private HttpResponse<String> send(HubProcess hub, String messageId) throws IOException, InterruptedException {
        URI uri = hub.smsbyUri();
        return http.send(
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(15))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "channel=SMS&message_id=" + messageId + "&status=DELIVERED"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
