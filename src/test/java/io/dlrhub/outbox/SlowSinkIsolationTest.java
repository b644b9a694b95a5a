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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An added sink that takes 30 s per call beside a healthy CRM. Before, all sinks shared one pool
 * of delivery threads with no time limit: the slow sink held every thread and the CRM received
 * none of the new events. Now each sink has its own threads and a per-delivery timeout.
 */
class SlowSinkIsolationTest {

    private static final String SLOW_SINK = """
            - route:
                id: sink-slow
                description: an extension sink whose receiver takes 30 s per call
                from:
                  uri: direct:sink-slow
                  steps:
                    - delay:
                        constant: "30000"
            """;

    @Test
    void aHungSinkDelaysOnlyItselfAndItsDeliveriesTimeOutAndAreRetried(@TempDir Path extra) throws Exception {
        Files.writeString(extra.resolve("sink-slow.camel.yaml"), SLOW_SINK);
        WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort());
        crm.start();
        crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(ok()));
        TestDatabase database = TestDatabase.h2InMemory();
        try (RunningHub hub = RunningHub.start(
                database,
                Map.of(
                        "smsby.tokens", "tok",
                        "camel.main.routes-include-pattern",
                                "file:routes/*.camel.yaml,file:" + extra.resolve("sink-slow.camel.yaml"),
                        "crm.url", "http://127.0.0.1:" + crm.port() + "/crm",
                        "outbox.concurrency", "4",
                        "sink.slow.timeout-ms", "1500",
                        "sink.slow.retry-initial-ms", "100",
                        "sink.slow.max-attempts", "0"))) {
            send(hub, "first", 10);
            // the slow sink is busy: its ten deliveries of the first wave are running or queued for its threads
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> hub.context().getInflightRepository().size("sink-slow") >= 1);

            send(hub, "second", 10);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> crm.findAll(postRequestedFor(urlPathEqualTo("/crm")))
                                    .size()
                            >= 20);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'delivered'"))
                    .isEqualTo(20);

            // the slow sink's deliveries end as failed attempts after its timeout, and stay pending for a retry
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> Sql.count(
                                    database,
                                    "SELECT COUNT(*) FROM outbox WHERE sink = 'slow' AND attempts >= 1 AND last_error LIKE '%did not finish the delivery within 1500 ms%'")
                            > 0);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'slow' AND state = 'pending'"))
                    .isEqualTo(20);
        } finally {
            crm.stop();
        }
    }

    private static void send(RunningHub hub, String wave, int count) {
        for (int i = 0; i < count; i++) {
            assertThat(hub.post(
                                    "/webhooks/smsby?token=tok",
                                    FORM,
                                    "channel=SMS&message_id=" + wave + "-" + i + "&status=DELIVERED")
                            .status())
                    .isEqualTo(200);
        }
    }
}
