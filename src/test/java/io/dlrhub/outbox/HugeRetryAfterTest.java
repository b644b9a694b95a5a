package io.dlrhub.outbox;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import io.dlrhub.support.TestSchemas;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A CRM that answers one event with 503 and {@code Retry-After: 99999999999999999} (about three
 * billion years): the other events of the same batch are delivered once, and the refused one is
 * retried with its attempts counted until it is dead, or waits a year when the retry maximum is huge.
 */
class HugeRetryAfterTest {

    private static final String HUGE = "99999999999999999";
    private static final int GOOD = 5;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void theRefusedRowGoesDeadAfterItsAttemptsAndTheOthersAreDeliveredOnce(String db) {
        TestDatabase database = "postgres".equals(db) ? TestDatabase.postgres() : TestDatabase.h2InMemory();
        try (Receiver crm = refusingOneEvent();
                RunningHub hub = start(
                        database,
                        crm,
                        Map.of("crm.retry-initial-ms", "10", "crm.retry-max-ms", "50", "crm.max-attempts", "3"))) {
            storeOneBatch(hub);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'")
                                    == 1);
            assertDeliveredOnce(database, crm);
            assertThat(Sql.rows(
                            database, "SELECT attempts, last_error FROM outbox WHERE sink = 'crm' AND state = 'dead'"))
                    .singleElement()
                    .satisfies(row -> {
                        assertThat(row.get("attempts")).isEqualTo(3);
                        assertThat((String) row.get("last_error")).startsWith("HTTP 503");
                    });
            assertThat(crm.callsPerKey()).containsValue(3);
        } finally {
            TestSchemas.drop(database);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aHugeRetryMaximumWaitsAYearAndTheOthersAreDeliveredOnce(String db) {
        TestDatabase database = "postgres".equals(db) ? TestDatabase.postgres() : TestDatabase.h2InMemory();
        try (Receiver crm = refusingOneEvent();
                // the largest duration the settings accept (18 digits: 31 million years)
                RunningHub hub = start(database, crm, Map.of("crm.retry-max-ms", "999999999999999999"))) {
            storeOneBatch(hub);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Sql.count(
                                    database,
                                    "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'pending' AND attempts = 1")
                            == 1);
            assertDeliveredOnce(database, crm);
            // the wait is clamped to a year by the database's clock, not overflowed
            assertThat(Sql.count(
                            database,
                            "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'pending'"
                                    + " AND claimed_by IS NULL AND next_attempt_at > CURRENT_TIMESTAMP + INTERVAL '300' DAY"
                                    + " AND next_attempt_at < CURRENT_TIMESTAMP + INTERVAL '400' DAY"))
                    .isEqualTo(1);
        } finally {
            TestSchemas.drop(database);
        }
    }

    private static Receiver refusingOneEvent() {
        return Receiver.start((key, body) -> body.contains("\"message_id\":\"refused\"")
                ? new Receiver.Reply(503, Map.of("Retry-After", HUGE))
                : Receiver.Reply.ok());
    }

    private static RunningHub start(TestDatabase database, Receiver crm, Map<String, String> retry) {
        Map<String, String> settings = new HashMap<>(retry);
        settings.putAll(Map.of(
                "smsby.tokens", "tok", "crm.url", crm.url(), "db.pool-size", "3", "outbox.poll-interval-ms", "50"));
        return RunningHub.start(database, settings);
    }

    /** Stores the events while the dispatcher sleeps and nothing is handed over: its first poll claims them all at once. */
    private static void storeOneBatch(RunningHub hub) {
        try {
            hub.context().getRouteController().stopRoute("outbox-dispatcher");
            hub.context()
                    .getRegistry()
                    .lookupByNameAndType("outboxStore", OutboxStore.class)
                    .handOffTo(null);
            for (int i = 0; i < GOOD; i++) {
                assertThat(hub.post(
                                        "/webhooks/smsby?token=tok",
                                        FORM,
                                        "channel=SMS&message_id=good-" + i + "&status=DELIVERED")
                                .status())
                        .isEqualTo(200);
            }
            assertThat(hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=refused&status=DELIVERED")
                            .status())
                    .isEqualTo(200);
            hub.context().getRouteController().startRoute("outbox-dispatcher");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertDeliveredOnce(TestDatabase database, Receiver crm) {
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'delivered'")
                                == GOOD);
        assertThat(Sql.count(
                        database,
                        "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'delivered'" + " AND attempts = 1"))
                .isEqualTo(GOOD);
        Map<String, Integer> calls = crm.callsPerKey();
        assertThat(calls).hasSize(GOOD + 1);
        // Idempotency-Key is the event_id
        for (Map<String, Object> row :
                Sql.rows(database, "SELECT event_id FROM outbox WHERE sink = 'crm' AND state = 'delivered'")) {
            assertThat(calls).containsEntry(String.valueOf(row.get("event_id")), 1);
        }
    }
}
