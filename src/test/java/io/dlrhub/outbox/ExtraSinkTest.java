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
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/extending.md: a third sink is one route file plus configuration, here examples/sink-relay.camel.yaml. */
class ExtraSinkTest {

    @Test
    void theExampleRelaySinkGetsTheEventsItsStatusFilterAsksFor() {
        WireMockServer relay = new WireMockServer(wireMockConfig().dynamicPort());
        relay.start();
        relay.stubFor(post(urlPathEqualTo("/relay")).willReturn(ok()));
        TestDatabase database = TestDatabase.h2InMemory();
        try (RunningHub hub = RunningHub.start(
                database,
                Map.of(
                        "smsby.tokens", "tok",
                        "camel.main.routes-include-pattern",
                                "file:routes/*.camel.yaml,file:examples/sink-relay.camel.yaml",
                        "relay.url", "http://127.0.0.1:" + relay.port() + "/relay",
                        "sink.relay.statuses", "FAILED, DELIVERED"))) {
            String delivered = hub.post(
                            "/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=r-1&status=DELIVERED")
                    .field("event_id");
            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=r-2&status=SENT");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Sql.count(
                                    database,
                                    "SELECT COUNT(*) FROM outbox WHERE sink = 'relay' AND state = 'delivered'")
                            == 1);
            List<LoggedRequest> calls = relay.findAll(postRequestedFor(urlPathEqualTo("/relay")));
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).getHeader("Idempotency-Key")).isEqualTo(delivered);
            assertThat(calls.get(0).getBodyAsString()).contains("\"message_id\":\"r-1\"");
            assertThat(calls.get(0).getHeaders().keys())
                    .noneMatch(h -> h.toLowerCase().startsWith("dlr"));
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'relay'"))
                    .isEqualTo(1);
        } finally {
            relay.stop();
        }
    }
}
