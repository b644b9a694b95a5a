package io.dlrhub.outbox;

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
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A new delivery goes out as soon as its event commits, without waiting for the outbox poll. */
class HandOffTest {

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void newEventsReachTheCrmWhileThePollSleeps(String db) {
        TestDatabase database = "postgres".equals(db) ? TestDatabase.postgres() : TestDatabase.h2InMemory();
        WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort());
        crm.start();
        crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(ok()));
        // the first poll would come after an hour: whatever arrives within the test was handed over
        Map<String, String> settings = Map.of(
                "smsby.tokens",
                "tok",
                "crm.url",
                "http://127.0.0.1:" + crm.port() + "/crm",
                "outbox.poll-interval-ms",
                "3600000");
        try (RunningHub hub = RunningHub.start(database, settings)) {
            int events = 40;
            for (int i = 0; i < events; i++) {
                assertThat(hub.post(
                                        "/webhooks/smsby?token=tok",
                                        FORM,
                                        "channel=SMS&message_id=hand-" + i + "&status="
                                                + (i % 2 == 0 ? "DELIVERED" : "SENT"))
                                .status())
                        .isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Sql.count(
                                    database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'delivered'")
                            == events);
            Map<String, Long> perEvent = crm.findAll(postRequestedFor(urlPathEqualTo("/crm"))).stream()
                    .collect(Collectors.groupingBy(r -> r.getHeader("Idempotency-Key"), Collectors.counting()));
            assertThat(perEvent).hasSize(events);
            assertThat(perEvent.values()).containsOnly(1L);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND attempts = 1"))
                    .isEqualTo(events);
        } finally {
            crm.stop();
        }
    }
}
