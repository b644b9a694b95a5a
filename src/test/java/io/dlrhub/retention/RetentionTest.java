package io.dlrhub.retention;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import io.dlrhub.support.TestSchemas;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retention on the real service, on H2 and on PostgreSQL: events stored through webhooks and
 * delivered to a real HTTP receiver, then made older than the window in SQL (as time would), then
 * purged by the retention job the service runs.
 */
class RetentionTest {

    private static final String ADMIN = "retention-admin-token";

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void oldDeliveredGoesDeadPendingAndRecentStayAndStatusGoesWithItsLastEvent(String db) throws Exception {
        TestDatabase database = database(db);
        try (Receiver crm = Receiver.start(RetentionTest::answer);
                RunningHub hub = start(database, crm, Map.of())) {
            UUID oldSent = webhook(hub, "old-1", "SENT");
            UUID oldDelivered = webhook(hub, "old-1", "DELIVERED");
            UUID oldDead = webhook(hub, "old-dead", "DELIVERED");
            UUID oldPending = webhook(hub, "old-pending", "DELIVERED");
            UUID mixedOld = webhook(hub, "mixed", "SENT");
            UUID mixedNew = webhook(hub, "mixed", "DELIVERED");
            UUID recent = webhook(hub, "recent", "DELIVERED");
            awaitSettled(database);
            // time passes: 40 days for the old ones (mixed: only its first event)
            age(
                    database,
                    "UPDATE delivery_event SET received_at = received_at - INTERVAL '40' DAY"
                            + " WHERE message_id IN ('old-1', 'old-dead', 'old-pending') OR event_id = '" + mixedOld
                            + "'");
            age(
                    database,
                    "UPDATE message_status SET updated_at = updated_at - INTERVAL '40' DAY"
                            + " WHERE message_id IN ('old-1', 'old-dead', 'old-pending')");
            assertThat(attempts(database, oldDelivered)).isEqualTo(1);

            Map<String, Long> purged = job(hub).run(() -> true);

            assertThat(purged)
                    .containsEntry("delivery_event", 3L)
                    .containsEntry("outbox", 3L)
                    .containsEntry("delivery_attempt", 3L)
                    .containsEntry("message_status", 1L);
            // old and delivered: the events, their deliveries and attempts, and the message's status are gone
            for (UUID gone : new UUID[] {oldSent, oldDelivered, mixedOld}) {
                assertThat(count(database, "SELECT COUNT(*) FROM delivery_event WHERE event_id = ?", gone))
                        .isZero();
                assertThat(count(database, "SELECT COUNT(*) FROM outbox WHERE event_id = ?", gone))
                        .isZero();
                assertThat(attempts(database, gone)).isZero();
            }
            assertThat(count(database, "SELECT COUNT(*) FROM message_status WHERE message_id = 'old-1'"))
                    .isZero();
            // dead and pending stay whatever their age, with their attempts and status
            for (UUID kept : new UUID[] {oldDead, oldPending, mixedNew, recent}) {
                assertThat(count(database, "SELECT COUNT(*) FROM delivery_event WHERE event_id = ?", kept))
                        .isEqualTo(1);
                assertThat(count(database, "SELECT COUNT(*) FROM outbox WHERE event_id = ?", kept))
                        .isEqualTo(1);
                assertThat(attempts(database, kept)).isPositive();
            }
            assertThat(Sql.rows(database, "SELECT message_id, status FROM message_status ORDER BY message_id"))
                    .extracting(r -> r.get("message_id") + "=" + r.get("status"))
                    .containsExactly(
                            "mixed=DELIVERED", "old-dead=DELIVERED", "old-pending=DELIVERED", "recent=DELIVERED");
            // the mixed message's history still answers, with what is left of its timeline
            RunningHub.Reply history = hub.admin("GET", "/api/messages/smsby/mixed", ADMIN);
            assertThat(history.json().get("events")).hasSize(1);
            assertThat(hub.admin("GET", "/api/messages/smsby/old-1", ADMIN).status())
                    .isEqualTo(404);

            // a second run finds nothing more to do
            assertThat(job(hub).run(() -> true).values()).containsOnly(0L);
            String metrics = hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/metrics"))
                            .GET()
                            .build())
                    .body();
            assertThat(metrics)
                    .contains(
                            "dlrhub_retention_purged_rows_total{application=\"dlr-hub\",table=\"delivery_event\"} 3.0")
                    .contains(
                            "dlrhub_retention_purged_rows_total{application=\"dlr-hub\",table=\"message_status\"} 1.0")
                    .contains("dlrhub_table_rows{application=\"dlr-hub\",table=\"delivery_event\"}")
                    .contains("dlrhub_table_rows{application=\"dlr-hub\",table=\"delivery_attempt\"}");
        } finally {
            TestSchemas.drop(database);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void deadDeliveriesGoOnlyWhenPurgedByHandAndTheirEventThenFollowsTheWindow(String db) throws Exception {
        TestDatabase database = database(db);
        try (Receiver crm = Receiver.start(RetentionTest::answer);
                RunningHub hub = start(database, crm, Map.of())) {
            UUID dead = webhook(hub, "old-dead", "DELIVERED");
            UUID recentDead = webhook(hub, "new-dead", "DELIVERED");
            awaitSettled(database);
            age(
                    database,
                    "UPDATE delivery_event SET received_at = received_at - INTERVAL '40' DAY WHERE event_id = '" + dead
                            + "'");
            age(
                    database,
                    "UPDATE outbox SET updated_at = updated_at - INTERVAL '40' DAY WHERE event_id = '" + dead + "'");
            age(
                    database,
                    "UPDATE message_status SET updated_at = updated_at - INTERVAL '40' DAY WHERE message_id = 'old-dead'");
            assertThat(job(hub).run(() -> true).get("delivery_event")).isZero();

            assertThat(hub.admin("DELETE", "/api/outbox?state=dead&before=2020-01-01T00:00:00Z", null)
                            .status())
                    .isEqualTo(401);
            for (String bad : new String[] {
                "/api/outbox?before=2020-01-01T00:00:00Z",
                "/api/outbox?state=delivered&before=2020-01-01T00:00:00Z",
                "/api/outbox?state=dead",
                "/api/outbox?state=dead&before=yesterday",
                "/api/outbox?state=dead&before=2020-01-01T00:00:00Z&limit=0"
            }) {
                RunningHub.Reply refused = hub.admin("DELETE", bad, ADMIN);
                assertThat(refused.status()).as(bad + " " + refused).isEqualTo(400);
                assertThat(refused.field("error")).isEqualTo("invalid_parameter");
            }
            // the list of dead deliveries is still served by GET on the same path
            assertThat(hub.admin("GET", "/api/outbox?state=dead", ADMIN).json()).hasSize(2);

            String tenDaysAgo = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC)
                    .minusDays(10)
                    .toString();
            RunningHub.Reply purged =
                    hub.admin("DELETE", "/api/outbox?state=dead&sink=crm&before=" + tenDaysAgo, ADMIN);
            assertThat(purged.status()).as(purged.toString()).isEqualTo(200);
            assertThat(purged.json().get("purged").get("outbox").asLong()).isEqualTo(1);
            assertThat(purged.json().get("purged").get("delivery_attempt").asLong())
                    .isEqualTo(1);
            assertThat(purged.json().get("more").asBoolean()).isFalse();
            assertThat(count(database, "SELECT COUNT(*) FROM outbox WHERE event_id = ?", dead))
                    .isZero();
            assertThat(attempts(database, dead)).isZero();
            // the recent dead one was not before the time given
            assertThat(count(database, "SELECT COUNT(*) FROM outbox WHERE event_id = ? AND state = 'dead'", recentDead))
                    .isEqualTo(1);

            // the event, now without a dead delivery, goes with the next run
            assertThat(job(hub).run(() -> true))
                    .containsEntry("delivery_event", 1L)
                    .containsEntry("message_status", 1L);
            assertThat(count(database, "SELECT COUNT(*) FROM delivery_event WHERE event_id = ?", dead))
                    .isZero();
            assertThat(count(database, "SELECT COUNT(*) FROM delivery_event WHERE event_id = ?", recentDead))
                    .isEqualTo(1);
        } finally {
            TestSchemas.drop(database);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anEmptyDatabaseIsHarmlessAndTheTimerPurgesInTheBackgroundInSmallBatches(String db) throws Exception {
        TestDatabase database = database(db);
        try (Receiver crm = Receiver.start(RetentionTest::answer);
                RunningHub hub = start(database, crm, Map.of("retention.batch-size", "2", "retention.pause-ms", "1"))) {
            assertThat(job(hub).run(() -> true).values()).containsOnly(0L);
            assertThat(hub.admin("DELETE", "/api/outbox?state=dead&before=2100-01-01T00:00:00Z", ADMIN)
                            .json()
                            .get("purged")
                            .get("outbox")
                            .asLong())
                    .isZero();

            for (int i = 0; i < 5; i++) {
                webhook(hub, "batch-" + i, "DELIVERED");
            }
            awaitSettled(database);
            age(database, "UPDATE delivery_event SET received_at = received_at - INTERVAL '31' DAY");
            age(database, "UPDATE message_status SET updated_at = updated_at - INTERVAL '31' DAY");
        }
        // started again with a short interval: the timer finds them, 2 events per batch
        try (Receiver crm = Receiver.start(RetentionTest::answer);
                RunningHub hub =
                        start(database, crm, Map.of("retention.batch-size", "2", "retention.interval-ms", "200"))) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> count(database, "SELECT COUNT(*) FROM delivery_event") == 0);
            assertThat(count(database, "SELECT COUNT(*) FROM outbox")).isZero();
            assertThat(count(database, "SELECT COUNT(*) FROM delivery_attempt")).isZero();
            assertThat(count(database, "SELECT COUNT(*) FROM message_status")).isZero();
        } finally {
            TestSchemas.drop(database);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void zeroDaysKeepsEverything(String db) throws Exception {
        TestDatabase database = database(db);
        try (Receiver crm = Receiver.start(RetentionTest::answer);
                RunningHub hub = start(database, crm, Map.of("retention.days", "0", "retention.interval-ms", "100"))) {
            webhook(hub, "kept", "DELIVERED");
            awaitSettled(database);
            age(database, "UPDATE delivery_event SET received_at = received_at - INTERVAL '3650' DAY");
            assertThat(job(hub).run(() -> true).values()).containsOnly(0L);
            assertThat(hub.context().getRoute("retention")).isNull();
            assertThat(count(database, "SELECT COUNT(*) FROM delivery_event")).isEqualTo(1);
        } finally {
            TestSchemas.drop(database);
        }
    }

    /** The CRM: refuses old-dead and new-dead for good, answers old-pending "later", takes the rest. */
    private static Receiver.Reply answer(String key, String body) {
        if (body.contains("\"message_id\":\"old-dead\"") || body.contains("\"message_id\":\"new-dead\"")) {
            return new Receiver.Reply(422, Map.of(), "unknown message");
        }
        if (body.contains("\"message_id\":\"old-pending\"")) {
            return new Receiver.Reply(503, Map.of("Retry-After", "3600"));
        }
        return Receiver.Reply.ok();
    }

    private static TestDatabase database(String db) {
        return "postgres".equals(db) ? TestDatabase.postgres() : TestDatabase.h2InMemory();
    }

    private static RunningHub start(TestDatabase database, Receiver crm, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "smsby.tokens",
                "tok",
                "crm.url",
                crm.url(),
                "admin.token",
                ADMIN,
                "sink.alert.enabled",
                "false",
                "db.pool-size",
                "3",
                // runs are started by the test; the timer's first run would come after a minute
                "retention.interval-ms",
                "3600000",
                "metrics.database-refresh-ms",
                "0"));
        settings.putAll(extra);
        return RunningHub.start(database, settings);
    }

    private static RetentionJob job(RunningHub hub) {
        return hub.context().getRegistry().lookupByNameAndType("retentionJob", RetentionJob.class);
    }

    private static UUID webhook(RunningHub hub, String messageId, String status) {
        RunningHub.Reply reply = hub.post(
                "/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=" + messageId + "&status=" + status);
        assertThat(reply.field("status")).as(reply.toString()).isEqualTo("accepted");
        return UUID.fromString(reply.field("event_id"));
    }

    /** Every delivery has had its first attempt recorded (delivered, dead, or waiting for its retry). */
    private static void awaitSettled(TestDatabase database) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count(database, "SELECT COUNT(*) FROM outbox WHERE attempts = 0") == 0);
    }

    private static void age(TestDatabase database, String update) throws Exception {
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.executeUpdate(update);
        }
    }

    private static long attempts(TestDatabase database, UUID eventId) {
        return count(database, "SELECT COUNT(*) FROM delivery_attempt WHERE event_id = ?", eventId);
    }

    private static long count(TestDatabase database, String sql, Object... parameters) {
        return Sql.count(database, sql, parameters);
    }
}
