package io.dlrhub.outbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deliveries still pending when the service stops are made by the next run. */
class OutboxRestartTest {

    @TempDir
    Path dataDirectory;

    @Test
    void pendingDeliveriesSurviveARestart() {
        WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort());
        crm.start();
        try {
            crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(aResponse().withStatus(503)));
            TestDatabase database = TestDatabase.h2File(dataDirectory);
            Map<String, String> settings = Map.of(
                    "smsby.tokens",
                    "tok",
                    "crm.url",
                    "http://127.0.0.1:" + crm.port() + "/crm",
                    "crm.retry-initial-ms",
                    "100",
                    "crm.retry-max-ms",
                    "300");
            Set<String> accepted = new HashSet<>();
            try (RunningHub hub = RunningHub.start(database, settings)) {
                for (int i = 0; i < 10; i++) {
                    accepted.add(hub.post(
                                    "/webhooks/smsby?token=tok",
                                    FORM,
                                    "channel=SMS&message_id=restart-" + i + "&status=SENT")
                            .field("event_id"));
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> !crm.findAll(postRequestedFor(urlPathEqualTo("/crm")))
                                .isEmpty());
            }
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"))
                    .isEqualTo(10);

            crm.resetAll();
            crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(ok()));
            try (RunningHub hub = RunningHub.start(database, settings)) {
                await().atMost(Duration.ofSeconds(15))
                        .until(() ->
                                Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE state = 'delivered'") == 10);
            }
            Set<String> received = new HashSet<>();
            crm.findAll(postRequestedFor(urlPathEqualTo("/crm")))
                    .forEach(r -> received.add(r.getHeader("Idempotency-Key")));
            assertThat(received).isEqualTo(accepted);
            assertThat(crm.findAll(postRequestedFor(urlPathEqualTo("/crm")))).hasSize(10);
        } finally {
            crm.stop();
        }
    }
}
