package io.dlrhub.ops;

import static io.dlrhub.ops.Fixtures.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bulk job endpoints on embedded H2: what they refuse (each refusal names the field), and a
 * replay and a backfill run to their end (the job row locking H2's way).
 */
class BulkJobRequestsTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 3, 1, 12, 0, 0, 0, ZoneOffset.UTC);

    // no CRM_URL: the crm sink is off
    // retention off: the fixtures of March 2026 are older than its window
    @RegisterExtension
    static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory)
            .with(Map.of(
                    "admin.token",
                    ADMIN,
                    "replay.rate-per-second",
                    "1000",
                    "backfill.rate-per-second",
                    "1000",
                    "retention.days",
                    "0"));

    private final TestDatabase database = shared.database();
    private final RunningHub hub = shared.hub();
    private final Fixtures fixtures = new Fixtures(database);

    private void refused(String path, String body, int status, String code, String named) {
        Reply reply = Fixtures.postJson(hub, path, body);
        assertThat(reply.status()).as(path + " " + body + ": " + reply.body()).isEqualTo(status);
        assertThat(reply.field("error")).as(body).isEqualTo(code);
        assertThat(reply.field("message")).as(body).contains(named);
    }

    @Test
    void replayRequestsThatAreNotOneOfTheTwoFormsAreRefusedNamingWhy() {
        refused("/api/replays", "{}", 400, "invalid_parameter", "give ids");
        refused("/api/replays", "{\"ids\":[1],\"filter\":{}}", 400, "invalid_parameter", "give ids");
        refused("/api/replays", "{\"ids\":[]}", 400, "invalid_parameter", "ids");
        refused("/api/replays", "{\"ids\":[\"1\"]}", 400, "invalid_parameter", "ids");
        refused("/api/replays", "{\"ids\":[0]}", 400, "invalid_parameter", "ids");
        refused("/api/replays", "{\"ids\":[1.5]}", 400, "invalid_parameter", "ids");
        refused("/api/replays", "{\"id\":[1]}", 400, "invalid_parameter", "id is not a field");
        refused(
                "/api/replays",
                "{\"filter\":{\"sinkk\":\"crm\"}}",
                400,
                "invalid_parameter",
                "filter.sinkk is not a field");
        refused("/api/replays", "{\"filter\":{\"from\":\"yesterday\"}}", 400, "invalid_parameter", "filter.from");
        refused("/api/replays", "{\"filter\":{\"status\":\"LOST\"}}", 400, "invalid_parameter", "filter.status");
        refused("/api/replays", "{\"filter\":{\"sink\":7}}", 400, "invalid_parameter", "filter.sink must be a string");
        refused("/api/replays", "{\"filter\":\"crm\"}", 400, "invalid_parameter", "filter must be an object");
        refused(
                "/api/replays",
                "{\"filter\":{\"from\":\"2026-03-02T00:00:00Z\",\"to\":\"2026-03-01T00:00:00Z\"}}",
                400,
                "invalid_parameter",
                "filter.from must be before filter.to");
        refused("/api/replays", "{\"ids\":[1],\"ids\":[2]}", 400, "invalid_body", "JSON");
        refused("/api/replays", "[1,2]", 400, "invalid_body", "object");
        refused("/api/replays", "ids=1", 400, "invalid_body", "JSON");
        refused("/api/replays?dry_run=1", "{\"ids\":[1]}", 400, "invalid_parameter", "dry_run");

        Reply form = hub.send(HttpRequest.newBuilder(hub.managementUri("/api/replays"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", RunningHub.FORM)
                .POST(HttpRequest.BodyPublishers.ofString("ids=1"))
                .build());
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.field("error")).isEqualTo("unsupported_media_type");
        Reply anonymous = hub.send(HttpRequest.newBuilder(hub.managementUri("/api/replays"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ids\":[1]}"))
                .build());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM bulk_job WHERE kind = 'replay'"))
                .isZero();
    }

    @Test
    void backfillRequestsNameTheSinkOrFieldThatIsWrong() {
        refused(
                "/api/backfills",
                "{\"sink\":\"ledgr\",\"from\":\"2026-03-01T00:00:00Z\"}",
                400,
                "invalid_parameter",
                "sink ledgr is not a sink of this hub (its sinks: alert, crm)");
        refused(
                "/api/backfills",
                "{\"sink\":\"crm\",\"from\":\"2026-03-01T00:00:00Z\"}",
                400,
                "invalid_parameter",
                "sink crm is off");
        refused("/api/backfills", "{\"from\":\"2026-03-01T00:00:00Z\"}", 400, "invalid_parameter", "sink is required");
        refused("/api/backfills", "{\"sink\":\"alert\"}", 400, "invalid_parameter", "from is required");
        refused(
                "/api/backfills",
                "{\"sink\":\"alert\",\"from\":\"2026-03-01T00:00:00Z\",\"to\":\"2026-02-01T00:00:00Z\"}",
                400,
                "invalid_parameter",
                "from must be before to");
        refused(
                "/api/backfills",
                "{\"sink\":\"alert\",\"from\":\"2026-03-01\"}",
                400,
                "invalid_parameter",
                "from must be an ISO-8601");
        refused(
                "/api/backfills",
                "{\"sink\":\"alert\",\"from\":\"2026-03-01T00:00:00Z\",\"statuses\":[\"FAILED\"]}",
                400,
                "invalid_parameter",
                "statuses is not a field");
    }

    @Test
    void jobPathsTakeNumbersAndTheirMethods() {
        assertThat(hub.admin("GET", "/api/replays/abc", ADMIN).field("message"))
                .contains("id must be a positive number");
        assertThat(hub.admin("GET", "/api/replays/999", ADMIN).status()).isEqualTo(404);
        assertThat(hub.admin("POST", "/api/replays/999/cancel", ADMIN).status()).isEqualTo(404);
        assertThat(hub.admin("GET", "/api/replays?limit=0", ADMIN).status()).isEqualTo(400);
        Reply delete = hub.admin("DELETE", "/api/replays", ADMIN);
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.raw().headers().firstValue("Allow")).hasValue("GET, POST");
        assertThat(hub.admin("GET", "/api/replays/1/cancel", ADMIN)
                        .raw()
                        .headers()
                        .firstValue("Allow"))
                .hasValue("POST");
    }

    @Test
    void aReplayAndABackfillRunToTheirEndOnH2() {
        UUID event = fixtures.event("smsby", "SMS", "h2-1", "FAILED", T0);
        long dead = fixtures.delivery(event, "ledger", "dead", T0);
        Reply replay = Fixtures.postJson(hub, "/api/replays", "{\"filter\":{\"message_id\":\"h2-1\"}}");
        assertThat(replay.status()).as(replay.body()).isEqualTo(202);
        long replayId = replay.json().get("id").asLong();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "done"
                        .equals(hub.admin("GET", "/api/replays/" + replayId, ADMIN)
                                .field("state")));
        assertThat(hub.admin("GET", "/api/replays/" + replayId, ADMIN)
                        .json()
                        .get("replayed")
                        .asLong())
                .isOne();
        assertThat(Sql.rows(database, "SELECT state FROM outbox WHERE id = ?", dead))
                .extracting(r -> r.get("state"))
                .containsExactly("pending");

        // the alert sink wants FAILED events only (SINK_ALERT_STATUSES): the SENT one is not its
        fixtures.event("smsby", "SMS", "h2-2", "SENT", T0.plusSeconds(1));
        Reply backfill = Fixtures.postJson(
                hub,
                "/api/backfills",
                "{\"sink\":\"alert\",\"from\":\"" + T0 + "\",\"to\":\"" + T0.plusMinutes(1) + "\"}");
        assertThat(backfill.status()).as(backfill.body()).isEqualTo(202);
        assertThat(backfill.json().get("matched").asLong()).isOne();
        long backfillId = backfill.json().get("id").asLong();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "done"
                        .equals(hub.admin("GET", "/api/backfills/" + backfillId, ADMIN)
                                .field("state")));
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'alert' AND event_id = ?", event))
                .isOne();

        // nothing in the range: done at once
        Reply empty = Fixtures.postJson(
                hub,
                "/api/backfills",
                "{\"sink\":\"alert\",\"from\":\"2020-01-01T00:00:00Z\",\"to\":\"2020-01-02T00:00:00Z\"}");
        assertThat(empty.field("state")).isEqualTo("done");
        assertThat(empty.json().get("matched").asLong()).isZero();
    }
}
