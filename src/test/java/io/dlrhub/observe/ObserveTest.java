package io.dlrhub.observe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.TcpProxy;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Health and metrics, read the way a platform's probes and Prometheus read them. */
class ObserveTest {

    static Reply get(RunningHub hub, String path) {
        return hub.send(HttpRequest.newBuilder(hub.managementUri(path)).GET().build());
    }

    @Test
    void healthIsUpAndNothingOfItIsOnTheWebhookPort() {
        try (RunningHub hub = RunningHub.start(TestDatabase.h2InMemory(), Map.of("smsby.tokens", "tok"))) {
            for (String path : new String[] {"/observe/health", "/observe/health/live", "/observe/health/ready"}) {
                Reply reply = get(hub, path);
                assertThat(reply.status()).as(path + " " + reply).isEqualTo(200);
                assertThat(reply.field("status")).isEqualTo("UP");
            }
            Reply onWebhookPort = hub.send(
                    HttpRequest.newBuilder(hub.uri("/observe/health")).GET().build());
            assertThat(onWebhookPort.status()).isEqualTo(404);
            Reply apiOnWebhookPort = hub.send(
                    HttpRequest.newBuilder(hub.uri("/api/outbox")).GET().build());
            assertThat(apiOnWebhookPort.status()).isEqualTo(404);
        }
    }

    @Test
    void readinessGoesDownWithTheDatabaseAndComesBackWithIt() throws Exception {
        TestDatabase real = TestDatabase.postgres();
        try (TcpProxy proxy = real.proxy()) {
            try (RunningHub hub = RunningHub.start(
                    real.through(proxy), Map.of("smsby.tokens", "tok", "db.connect-timeout-ms", "1000"))) {
                assertThat(get(hub, "/observe/health/ready").status()).isEqualTo(200);

                proxy.cut();
                Reply down = get(hub, "/observe/health/ready");
                assertThat(down.status()).as(down.toString()).isEqualTo(503);
                assertThat(down.field("status")).isEqualTo("DOWN");
                assertThat(down.body()).contains("database").contains("unreachable");
                assertThat(down.body()).doesNotContain(real.url()).doesNotContain("jdbc:");
                assertThat(get(hub, "/observe/health/live").status())
                        .as("a database outage is no reason to restart")
                        .isEqualTo(200);

                proxy.start();
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> get(hub, "/observe/health/ready").status() == 200);
            }
        }
    }

    @Test
    void metricsCountWebhooksLatencyDeliveriesAndThePool() {
        WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort());
        crm.start();
        crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(aResponse().withStatus(400)));
        try (RunningHub hub = RunningHub.start(
                TestDatabase.h2InMemory(),
                Map.of("smsby.tokens", "tok", "crm.url", "http://127.0.0.1:" + crm.port() + "/crm"))) {
            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=m-1&status=DELIVERED");
            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=m-1&status=DELIVERED");
            hub.post("/webhooks/smsby?token=bad", FORM, "channel=SMS&message_id=m-2&status=DELIVERED");
            hub.post("/webhooks/whatever?token=tok", FORM, "channel=SMS&message_id=m-3&status=DELIVERED");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> get(hub, "/observe/metrics")
                            .body()
                            .contains("dlrhub_outbox_rows{application=\"dlr-hub\",sink=\"crm\",state=\"dead\"} 1"));

            Reply metrics = get(hub, "/observe/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.raw().headers().firstValue("Content-Type").orElse(""))
                    .startsWith("text/plain");
            assertThat(metrics.body())
                    .contains(
                            "dlrhub_webhooks_total{application=\"dlr-hub\",provider=\"smsby\",reason=\"-\",result=\"accepted\"} 1.0")
                    .contains(
                            "dlrhub_webhooks_total{application=\"dlr-hub\",provider=\"smsby\",reason=\"-\",result=\"duplicate\"} 1.0")
                    .contains(
                            "dlrhub_webhooks_total{application=\"dlr-hub\",provider=\"smsby\",reason=\"unauthorized\",result=\"rejected\"} 1.0")
                    .contains(
                            "dlrhub_webhooks_total{application=\"dlr-hub\",provider=\"-\",reason=\"unknown_provider\",result=\"rejected\"} 1.0")
                    .contains("dlrhub_ingest_seconds_bucket{application=\"dlr-hub\",provider=\"smsby\",le=\"0.1\"}")
                    .contains("dlrhub_ingest_seconds_count{application=\"dlr-hub\",provider=\"smsby\"} 2")
                    .contains("dlrhub_deliveries_total{application=\"dlr-hub\",outcome=\"dead\",sink=\"crm\"} 1.0")
                    .contains("hikaricp_connections_active")
                    .contains("jvm_memory_used_bytes")
                    .doesNotContain("whatever");
        } finally {
            crm.stop();
        }
    }

    @Test
    void theMessageHistoryShowsStatusTimelineAndDeliveries() {
        WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort());
        crm.start();
        crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(aResponse().withStatus(200)));
        try (RunningHub hub = RunningHub.start(
                TestDatabase.h2InMemory(),
                Map.of(
                        "smsby.tokens",
                        "tok",
                        "admin.token",
                        "adm",
                        "crm.url",
                        "http://127.0.0.1:" + crm.port() + "/crm"))) {
            String sent = hub.post("/webhooks/smsby?token=tok", FORM, "channel=VIBER&message_id=h-1&status=SENT")
                    .field("event_id");
            String failed = hub.post(
                            "/webhooks/smsby?token=tok", FORM, "channel=VIBER&message_id=h-1&status=NOT_DELIVERED")
                    .field("event_id");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> hub.admin("GET", "/api/messages/smsby/h-1", "adm")
                                            .body()
                                            .split("\"delivered\"", -1)
                                            .length
                                    - 1
                            == 2);

            Reply history = hub.admin("GET", "/api/messages/smsby/h-1", "adm");
            assertThat(history.status()).isEqualTo(200);
            JsonNode json = history.json();
            assertThat(json.get("status").asText()).isEqualTo("FAILED");
            assertThat(json.get("channel").asText()).isEqualTo("VIBER");
            assertThat(json.get("events")).hasSize(2);
            assertThat(json.get("events").get(0).get("event_id").asText()).isEqualTo(sent);
            assertThat(json.get("events").get(1).get("event_id").asText()).isEqualTo(failed);
            assertThat(json.get("events").get(1).get("provider_status").asText())
                    .isEqualTo("NOT_DELIVERED");
            JsonNode deliveries = json.get("events").get(1).get("deliveries");
            assertThat(deliveries.findValuesAsText("sink")).containsExactlyInAnyOrder("crm", "alert");
            assertThat(json.get("events").get(0).get("deliveries").findValuesAsText("sink"))
                    .containsExactly("crm");

            assertThat(hub.admin("GET", "/api/messages/smsby/nope", "adm").status())
                    .isEqualTo(404);
            assertThat(hub.admin("GET", "/api/messages/smsby/h-1", null).status())
                    .isEqualTo(401);
        } finally {
            crm.stop();
        }
    }
}
