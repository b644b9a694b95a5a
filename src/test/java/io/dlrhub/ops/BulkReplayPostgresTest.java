package io.dlrhub.ops;

import static io.dlrhub.ops.Fixtures.ADMIN;
import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import io.dlrhub.support.TestSchemas;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** POST /api/replays on a real PostgreSQL: throttled, cancellable, recorded, and never twice. */
class BulkReplayPostgresTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 3, 1, 12, 0, 0, 0, ZoneOffset.UTC);

    /** Dead deliveries to a sink no route serves: once replayed they stay pending, so they can be counted. */
    private static List<Long> deadLedgerDeliveries(Fixtures fixtures, int count) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UUID event = fixtures.event("smsby", "SMS", "dead-" + i, "SENT", T0.plusSeconds(i));
            ids.add(fixtures.delivery(event, "ledger", "dead", T0.plusSeconds(i)));
        }
        return ids;
    }

    @Test
    void aThrottledReplayDoesNoMoreThanItsRateAllowsAndNothingOnceCancelled() {
        TestDatabase database = TestDatabase.postgres();
        try (RunningHub hub = RunningHub.start(
                database,
                Map.of(
                        "admin.token",
                        ADMIN,
                        "replay.rate-per-second",
                        "1",
                        "db.pool-size",
                        "3",
                        "retention.days",
                        "0"))) {
            Fixtures fixtures = new Fixtures(database);
            deadLedgerDeliveries(fixtures, 30);
            Reply created = Fixtures.postJson(hub, "/api/replays", "{\"filter\":{\"sink\":\"ledger\"}}");
            assertThat(created.status()).as(created.body()).isEqualTo(202);
            JsonNode job = created.json();
            long id = job.get("id").asLong();
            assertThat(job.get("kind").asText()).isEqualTo("replay");
            assertThat(job.get("state").asText()).isEqualTo("running");
            assertThat(job.get("matched").asLong()).isEqualTo(30);
            assertThat(job.get("replayed").asLong()).isZero();
            assertThat(job.get("requested_by").asText()).isEqualTo("admin-token");
            assertThat(job.get("rate_per_second").asInt()).isEqualTo(1);
            assertThat(job.get("request").get("filter").get("sink").asText()).isEqualTo("ledger");

            // it makes progress in the background...
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.admin("GET", "/api/replays/" + id, ADMIN)
                                    .json()
                                    .get("replayed")
                                    .asLong()
                            >= 2);
            Reply cancelled = hub.admin("POST", "/api/replays/" + id + "/cancel", ADMIN);
            assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
            assertThat(cancelled.field("state")).isEqualTo("cancelled");
            assertThat(cancelled.field("cancelled_by")).isEqualTo("admin-token");

            // ...at most one per second of its life (database clock) plus one second's worth
            JsonNode after = hub.admin("GET", "/api/replays/" + id, ADMIN).json();
            long replayed = after.get("replayed").asLong();
            Duration life = Duration.between(
                    OffsetDateTime.parse(after.get("created_at").asText()),
                    OffsetDateTime.parse(after.get("finished_at").asText()));
            assertThat(replayed).isLessThanOrEqualTo(life.toSeconds() + 1).isLessThan(30);
            // what it recorded is what it did, and the cancel stopped it
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'ledger' AND state = 'pending'"))
                    .isEqualTo(replayed);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM bulk_job WHERE id = ? AND state = 'cancelled'", id))
                    .isOne();

            Reply again = hub.admin("POST", "/api/replays/" + id + "/cancel", ADMIN);
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.field("error")).isEqualTo("not_running");
            Reply list = hub.admin("GET", "/api/replays", ADMIN);
            assertThat(list.json().get(0).get("id").asLong()).isEqualTo(id);
            assertThat(hub.admin("GET", "/api/backfills/" + id, ADMIN).status()).isEqualTo(404);
        } finally {
            TestSchemas.drop(database);
        }
    }

    @Test
    void aReplayByIdsPutsBackThoseThatAreDeadAndLeavesTheRest() {
        TestDatabase database = TestDatabase.postgres();
        try (RunningHub hub = RunningHub.start(
                database,
                Map.of(
                        "admin.token",
                        ADMIN,
                        "replay.rate-per-second",
                        "1000",
                        "db.pool-size",
                        "3",
                        "retention.days",
                        "0"))) {
            Fixtures fixtures = new Fixtures(database);
            List<Long> dead = deadLedgerDeliveries(fixtures, 3);
            long delivered =
                    fixtures.delivery(fixtures.event("smsby", "SMS", "ok", "SENT", T0), "ledger", "delivered", T0);
            Reply created = Fixtures.postJson(
                    hub,
                    "/api/replays",
                    "{\"ids\":[" + dead.get(0) + "," + dead.get(1) + "," + dead.get(2) + "," + delivered + ",999999]}");
            assertThat(created.status()).as(created.body()).isEqualTo(202);
            long id = created.json().get("id").asLong();
            assertThat(created.json().get("matched").asLong()).isEqualTo(3);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "done"
                            .equals(hub.admin("GET", "/api/replays/" + id, ADMIN)
                                    .field("state")));
            JsonNode job = hub.admin("GET", "/api/replays/" + id, ADMIN).json();
            assertThat(job.get("replayed").asLong()).isEqualTo(3);
            assertThat(job.get("skipped").asLong()).isZero();
            assertThat(job.get("finished_at").isNull()).isFalse();
            assertThat(Sql.rows(
                            database,
                            "SELECT state FROM outbox WHERE id IN (?, ?, ?)",
                            dead.get(0),
                            dead.get(1),
                            dead.get(2)))
                    .extracting(row -> row.get("state"))
                    .containsOnly("pending");
            assertThat(Sql.rows(database, "SELECT state FROM outbox WHERE id = ?", delivered))
                    .extracting(row -> row.get("state"))
                    .containsExactly("delivered");
        } finally {
            TestSchemas.drop(database);
        }
    }

    /**
     * The CRM refuses everything (400: dead at once), so a delivery the replay put back is dead again
     * a moment later, while the job still runs. Two instances work the one job: each dead delivery
     * must be sent once more, not again every time it is found dead.
     */
    @Test
    void twoInstancesWorkingOneReplaySendEachDeadDeliveryOnceMore() {
        TestDatabase database = TestDatabase.postgres();
        int events = 20;
        try (Receiver crm = Receiver.start((key, body) -> new Receiver.Reply(400, Map.of()))) {
            Map<String, String> settings = Map.of(
                    "admin.token",
                    ADMIN,
                    "smsby.tokens",
                    "tok",
                    "crm.url",
                    crm.url(),
                    "replay.rate-per-second",
                    "10",
                    "db.pool-size",
                    "4",
                    "outbox.poll-interval-ms",
                    "50");
            try (RunningHub first = RunningHub.start(database, settings);
                    RunningHub second = RunningHub.start(database, settings)) {
                for (int i = 0; i < events; i++) {
                    assertThat(first.post(
                                            "/webhooks/smsby?token=tok",
                                            FORM,
                                            "channel=SMS&message_id=r-" + i + "&status=SENT")
                                    .status())
                            .isEqualTo(200);
                }
                await().atMost(Duration.ofSeconds(60))
                        .until(() ->
                                Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'")
                                        == events);
                assertThat(crm.callsPerKey().values()).hasSize(events).containsOnly(1);

                Reply created = Fixtures.postJson(
                        first, "/api/replays", "{\"filter\":{\"sink\":\"crm\",\"provider\":\"smsby\"}}");
                assertThat(created.status()).as(created.body()).isEqualTo(202);
                long id = created.json().get("id").asLong();
                assertThat(created.json().get("matched").asLong()).isEqualTo(events);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> "done"
                                .equals(second.admin("GET", "/api/replays/" + id, ADMIN)
                                        .field("state")));
                await().atMost(Duration.ofSeconds(60))
                        .until(() ->
                                Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'")
                                        == events);

                JsonNode job = second.admin("GET", "/api/replays/" + id, ADMIN).json();
                assertThat(job.get("replayed").asLong()).isEqualTo(events);
                assertThat(crm.callsPerKey().values()).hasSize(events).containsOnly(2);
            }
        } finally {
            TestSchemas.drop(database);
        }
    }
}
