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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every delivery attempt the dispatcher makes is a delivery_attempt row, written with the
 * outcome it records: the CRM is a real HTTP server (support/Receiver), on H2 and on PostgreSQL.
 */
class AttemptHistoryTest {

    private static final String CRM_TOKEN = "crm-bearer-7f3a9c1e55d2";
    private static final String SIGNING_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void twoRefusalsThenAcceptedAreThreeAttemptsRetryRetryDelivered(String db) {
        TestDatabase database = database(db);
        AtomicInteger calls = new AtomicInteger();
        try (Receiver crm = Receiver.start((key, body) ->
                        calls.incrementAndGet() <= 2 ? new Receiver.Reply(503, Map.of()) : Receiver.Reply.ok());
                RunningHub hub = start(database, crm, Map.of())) {
            UUID eventId = webhook(hub, "attempts-1");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Sql.count(
                                    database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'delivered'")
                            == 1);

            List<Map<String, Object>> attempts = attempts(database, eventId);
            assertThat(attempts).extracting(a -> a.get("attempt")).containsExactly(1, 2, 3);
            assertThat(attempts).extracting(a -> a.get("outcome")).containsExactly("retry", "retry", "delivered");
            assertThat(attempts).extracting(a -> a.get("http_status")).containsExactly(503, 503, 200);
            assertThat(attempts)
                    .extracting(a -> (String) a.get("detail"))
                    .satisfiesExactly(
                            d -> assertThat(d).startsWith("HTTP 503"),
                            d -> assertThat(d).startsWith("HTTP 503"),
                            d -> assertThat(d).startsWith("HTTP 200"));
            long outboxId =
                    (Long) Sql.rows(database, "SELECT id FROM outbox WHERE event_id = ? AND sink = 'crm'", eventId)
                            .get(0)
                            .get("id");
            assertThat(attempts).allSatisfy(a -> {
                assertThat(a.get("outbox_id")).isEqualTo(outboxId);
                assertThat(a.get("sink")).isEqualTo("crm");
                assertThat(a.get("started_at")).isNotNull();
                assertThat((Integer) a.get("duration_ms")).isNotNegative();
            });
        } finally {
            TestSchemas.drop(database);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void secretsAndQueryStringsInTheReceiversAnswerAreScrubbed(String db) {
        TestDatabase database = database(db);
        // a receiver that echoes what it was sent, the way some error pages do
        String answer = "upstream refused Authorization: Bearer " + CRM_TOKEN + " (signing key "
                + SIGNING_SECRET.substring("whsec_".length())
                + "), retry at https://crm.example/retry?api_key=k-991&user=x"
                + " or http://admin:hunter2hunter2@crm.example/ \u0000 end";
        try (Receiver crm = Receiver.start((key, body) -> new Receiver.Reply(503, Map.of(), answer));
                RunningHub hub = start(database, crm, Map.of("crm.max-attempts", "2"))) {
            UUID eventId = webhook(hub, "attempts-2");
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'")
                                    == 1);

            List<Map<String, Object>> attempts = attempts(database, eventId);
            assertThat(attempts).extracting(a -> a.get("outcome")).containsExactly("retry", "dead");
            assertThat(attempts).extracting(a -> a.get("http_status")).containsExactly(503, 503);
            assertThat(attempts).extracting(a -> (String) a.get("detail")).allSatisfy(detail -> {
                assertThat(detail)
                        .startsWith("HTTP 503")
                        .contains("upstream refused Authorization: Bearer …")
                        .contains("https://crm.example/retry?…")
                        .contains("http://…@crm.example/")
                        .doesNotContain(CRM_TOKEN)
                        .doesNotContain(SIGNING_SECRET.substring("whsec_".length()))
                        .doesNotContain("k-991")
                        .doesNotContain("hunter2")
                        .doesNotContain("\u0000");
                assertThat(detail.length()).isLessThanOrEqualTo(500);
            });
        } finally {
            TestSchemas.drop(database);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aRefusalForGoodIsOneDeadAttempt(String db) {
        TestDatabase database = database(db);
        try (Receiver crm = Receiver.start((key, body) -> new Receiver.Reply(422, Map.of(), "message_id unknown"));
                RunningHub hub = start(database, crm, Map.of())) {
            UUID eventId = webhook(hub, "attempts-3");
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'")
                                    == 1);

            assertThat(attempts(database, eventId)).singleElement().satisfies(a -> {
                assertThat(a.get("attempt")).isEqualTo(1);
                assertThat(a.get("outcome")).isEqualTo("dead");
                assertThat(a.get("http_status")).isEqualTo(422);
                assertThat((String) a.get("detail")).startsWith("HTTP 422").endsWith(": message_id unknown");
            });
        } finally {
            TestSchemas.drop(database);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aReceiverThatDoesNotAnswerIsAnAttemptWithoutStatus(String db) {
        TestDatabase database = database(db);
        String closed;
        try (Receiver gone = Receiver.start((key, body) -> Receiver.Reply.ok())) {
            closed = gone.url() + "?token=" + CRM_TOKEN;
        }
        try (RunningHub hub = RunningHub.start(
                database,
                Map.of(
                        "smsby.tokens",
                        "tok",
                        "crm.url",
                        closed,
                        "crm.token",
                        CRM_TOKEN,
                        "crm.max-attempts",
                        "1",
                        "db.pool-size",
                        "3"))) {
            UUID eventId = webhook(hub, "attempts-4");
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'")
                                    == 1);

            assertThat(attempts(database, eventId)).singleElement().satisfies(a -> {
                assertThat(a.get("outcome")).isEqualTo("dead");
                assertThat(a.get("http_status")).isNull();
                assertThat((String) a.get("detail")).contains("Connect").doesNotContain(CRM_TOKEN);
            });
        } finally {
            TestSchemas.drop(database);
        }
    }

    /**
     * The attempts follow the fencing of the outcomes: an instance whose claim was taken over writes
     * none; a claim given back unsent, or released by a stopping instance, is a "released" attempt.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void onlyTheCurrentClaimRecordsAttemptsAndAGiveBackIsReleased(String db) throws Exception {
        TestDatabase database = database(db);
        try (Receiver crm = Receiver.start((key, body) -> Receiver.Reply.ok());
                RunningHub hub = RunningHub.start(
                        database,
                        Map.of(
                                "smsby.tokens",
                                "tok",
                                "crm.url",
                                crm.url(),
                                "db.pool-size",
                                "3",
                                "outbox.poll-interval-ms",
                                "3600000"))) {
            OutboxStore store = hub.context().getRegistry().lookupByNameAndType("outboxStore", OutboxStore.class);
            store.handOffTo(null);
            UUID eventId = webhook(hub, "fenced-attempts");
            Attempt attempt =
                    new Attempt(java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC), 7, 200, "HTTP 200 OK");
            Duration lease = Duration.ofMinutes(2);

            List<OutboxRow> first = store.claimDue("crm", 10, lease, "instance-a");
            assertThat(store.giveBack(first, "instance-a", row -> Attempt.unsent("given back")))
                    .hasSize(1);
            List<OutboxRow> stale = store.claimDue("crm", 10, lease, "instance-a");
            try (java.sql.Connection connection = database.connect();
                    java.sql.Statement statement = connection.createStatement()) {
                statement.execute("UPDATE outbox SET lease_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND");
            }
            List<OutboxRow> live = store.claimDue("crm", 10, lease, "instance-b");
            assertThat(store.markDelivered(stale, "instance-a", row -> attempt)).isEmpty();
            assertThat(store.reschedule(stale, "instance-a", Duration.ZERO, "HTTP 503", row -> attempt))
                    .isEmpty();
            assertThat(store.markDead(stale, "instance-a", "HTTP 404", null, row -> attempt))
                    .isEmpty();
            assertThat(attempts(database, eventId))
                    .extracting(a -> a.get("outcome"))
                    .containsExactly("released");

            assertThat(store.release("instance-b")).isEqualTo(1);
            List<OutboxRow> last = store.claimDue("crm", 10, lease, "instance-c");
            assertThat(store.markDelivered(last, "instance-c", row -> attempt)).hasSize(1);

            List<Map<String, Object>> attempts = attempts(database, eventId);
            assertThat(attempts).extracting(a -> a.get("outcome")).containsExactly("released", "released", "delivered");
            assertThat(attempts).extracting(a -> a.get("attempt")).containsExactly(1, 1, 1);
            assertThat(attempts)
                    .extracting(a -> a.get("detail"))
                    .containsExactly("given back", OutboxStore.RELEASED_AT_STOP, "HTTP 200 OK");
            assertThat(attempts.get(2)).containsEntry("duration_ms", 7).containsEntry("http_status", 200);
            assertThat(live).hasSize(1);
            assertThat(crm.callsPerKey())
                    .as("the test claimed the rows, no dispatcher sent them")
                    .isEmpty();
        } finally {
            TestSchemas.drop(database);
        }
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
                "crm.token",
                CRM_TOKEN,
                "crm.signing-secret",
                SIGNING_SECRET,
                "crm.retry-initial-ms",
                "10",
                "crm.retry-max-ms",
                "50",
                "db.pool-size",
                "3",
                "outbox.poll-interval-ms",
                "50"));
        settings.putAll(extra);
        return RunningHub.start(database, settings);
    }

    private static UUID webhook(RunningHub hub, String messageId) {
        RunningHub.Reply reply = hub.post(
                "/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=" + messageId + "&status=DELIVERED");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return UUID.fromString(reply.field("event_id"));
    }

    private static List<Map<String, Object>> attempts(TestDatabase database, UUID eventId) {
        return Sql.rows(
                database,
                "SELECT outbox_id, sink, attempt, started_at, duration_ms, outcome, http_status, detail"
                        + " FROM delivery_attempt WHERE event_id = ? AND sink = 'crm' ORDER BY attempt, id",
                eventId);
    }
}
