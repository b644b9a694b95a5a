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
import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import io.dlrhub.support.TestSchemas;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Two instances on one PostgreSQL share the outbox: every event reaches the CRM exactly once. */
class TwoInstancesTest {

    private static final int SLOW_EVENTS = 12;

    @Test
    void twoDispatchersOnOnePostgresNeverDeliverARowTwice() {
        TestDatabase database = TestDatabase.postgres();
        WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort().containerThreads(40));
        crm.start();
        crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(ok().withFixedDelay(5)));
        Map<String, String> settings = Map.of(
                "smsby.tokens",
                "tok",
                "crm.url",
                "http://127.0.0.1:" + crm.port() + "/crm",
                "outbox.batch-size",
                "7",
                "outbox.poll-interval-ms",
                "20",
                "outbox.concurrency",
                "4");
        try (RunningHub first = RunningHub.start(database, settings);
                RunningHub second = RunningHub.start(database, settings)) {
            int events = 300;
            for (int i = 0; i < events; i++) {
                RunningHub hub = i % 2 == 0 ? first : second;
                assertThat(hub.post(
                                        "/webhooks/smsby?token=tok",
                                        FORM,
                                        "channel=SMS&message_id=two-" + i + "&status=DELIVERED")
                                .status())
                        .isEqualTo(200);
            }
            // a repeat through the other instance is a duplicate, not a second event
            assertThat(second.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=two-0&status=DELIVERED")
                            .field("status"))
                    .isEqualTo("duplicate");

            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Sql.count(
                                    database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'delivered'")
                            == events);
            List<LoggedRequest> calls = crm.findAll(postRequestedFor(urlPathEqualTo("/crm")));
            Map<String, Long> perEvent = calls.stream()
                    .collect(Collectors.groupingBy(r -> r.getHeader("Idempotency-Key"), Collectors.counting()));
            assertThat(perEvent).hasSize(events);
            assertThat(perEvent.values()).containsOnly(1L);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event"))
                    .isEqualTo(events);
            Map<Object, Long> byInstance = Sql.rows(database, "SELECT claimed_by FROM outbox").stream()
                    .collect(Collectors.groupingBy(
                            r -> String.valueOf(r.get("claimed_by")), HashMap::new, Collectors.counting()));
            assertThat(byInstance).as("both instances delivered").hasSizeGreaterThanOrEqualTo(2);
        } finally {
            crm.stop();
            TestSchemas.drop(database);
        }
    }

    /**
     * Every delivery goes through the claim query (nothing is handed over), and every call takes
     * longer than the lease: a lease that were not kept while the call runs would let the other
     * instance claim and send the row a second time, and fencing would have to discard an outcome.
     */
    @Test
    void aReceiverSlowerThanTheLeaseStillGetsEveryEventOnceThroughTheClaimQuery() {
        TestDatabase database = TestDatabase.postgres();
        try (Receiver crm = Receiver.start((key, body) -> {
            Thread.sleep(2_500); // longer than the 2 s lease
            return Receiver.Reply.ok();
        })) {
            Map<String, String> settings = Map.of(
                    "smsby.tokens",
                    "tok",
                    "crm.url",
                    crm.url(),
                    "db.pool-size",
                    "3",
                    "outbox.lease-ms",
                    "2000",
                    "outbox.poll-interval-ms",
                    "100",
                    "outbox.batch-size",
                    "3",
                    "outbox.concurrency",
                    "2");
            try (RunningHub first = RunningHub.start(database, settings);
                    RunningHub second = RunningHub.start(database, settings)) {
                for (RunningHub hub : List.of(first, second)) {
                    // rows are written unclaimed: only a poll's claim query can deliver them
                    hub.context()
                            .getRegistry()
                            .lookupByNameAndType("outboxStore", OutboxStore.class)
                            .handOffTo(null);
                }
                for (int i = 0; i < SLOW_EVENTS; i++) {
                    RunningHub hub = i % 2 == 0 ? first : second;
                    assertThat(hub.post(
                                            "/webhooks/smsby?token=tok",
                                            FORM,
                                            "channel=SMS&message_id=slow-" + i + "&status=DELIVERED")
                                    .status())
                            .isEqualTo(200);
                }

                await().atMost(Duration.ofSeconds(120))
                        .until(() -> Sql.count(
                                        database,
                                        "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state <> 'pending'")
                                == SLOW_EVENTS);
                assertThat(Sql.count(
                                database,
                                "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'delivered'"
                                        + " AND attempts = 1"))
                        .isEqualTo(SLOW_EVENTS);
                assertThat(crm.callsPerKey()).hasSize(SLOW_EVENTS);
                assertThat(crm.callsPerKey().values())
                        .as("calls per Idempotency-Key")
                        .containsOnly(1);
                assertThat(Sql.rows(database, "SELECT DISTINCT claimed_by FROM outbox WHERE sink = 'crm'"))
                        .as("both instances delivered")
                        .hasSize(2);
                for (RunningHub hub : List.of(first, second)) {
                    assertThat(hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/metrics"))
                                            .GET()
                                            .build())
                                    .body())
                            .doesNotContain("dlrhub_outbox_stale_settles_total{");
                }
            }
        } finally {
            TestSchemas.drop(database);
        }
    }
}
