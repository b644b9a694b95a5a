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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** POST /api/backfills: a CRM added later receives the events of a time range, each once. */
class BackfillPostgresTest {

    @Test
    void aSinkAddedLaterReceivesTheRangeOnceAndWhatItAlreadyHadIsSkipped() {
        TestDatabase database = TestDatabase.postgres();
        try (Receiver crm = Receiver.start((key, body) -> Receiver.Reply.ok())) {
            // before the CRM: three events, no delivery for it
            try (RunningHub before = RunningHub.start(database, Map.of("smsby.tokens", "tok"))) {
                for (int i = 1; i <= 3; i++) {
                    assertThat(before.post(
                                            "/webhooks/smsby?token=tok",
                                            FORM,
                                            "channel=SMS&message_id=b-" + i + "&status=SENT")
                                    .status())
                            .isEqualTo(200);
                }
            }
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm'"))
                    .isZero();
            String first = Sql.rows(database, "SELECT event_id FROM delivery_event WHERE message_id = 'b-1'")
                    .get(0)
                    .get("event_id")
                    .toString();

            try (RunningHub hub = RunningHub.start(
                    database,
                    Map.of(
                            "smsby.tokens",
                            "tok",
                            "crm.url",
                            crm.url(),
                            "admin.token",
                            ADMIN,
                            "backfill.rate-per-second",
                            "1000",
                            "db.pool-size",
                            "3"))) {
                // the CRM's first event comes the usual way
                assertThat(hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=b-4&status=SENT")
                                .status())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> crm.callsPerKey().size() == 1);

                // from b-2 on, as the search shows its received_at
                String from = hub.admin("GET", "/api/events?message_id=b-2", ADMIN)
                        .json()
                        .get("events")
                        .get(0)
                        .get("received_at")
                        .asText();
                String to = OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(1).toString();
                Reply created = Fixtures.postJson(
                        hub, "/api/backfills", "{\"sink\":\"crm\",\"from\":\"" + from + "\",\"to\":\"" + to + "\"}");
                assertThat(created.status()).as(created.body()).isEqualTo(202);
                long id = created.json().get("id").asLong();
                assertThat(created.json().get("kind").asText()).isEqualTo("backfill");
                assertThat(created.json().get("matched").asLong())
                        .as("b-2, b-3 and b-4")
                        .isEqualTo(3);
                assertThat(created.json().get("request").get("sink").asText()).isEqualTo("crm");

                await().atMost(Duration.ofSeconds(30))
                        .until(() -> "done"
                                .equals(hub.admin("GET", "/api/backfills/" + id, ADMIN)
                                        .field("state")));
                JsonNode job = hub.admin("GET", "/api/backfills/" + id, ADMIN).json();
                assertThat(job.get("replayed").asLong()).isEqualTo(2);
                assertThat(job.get("skipped").asLong())
                        .as("b-4 had its delivery")
                        .isOne();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> crm.callsPerKey().size() == 3);
                assertThat(crm.callsPerKey().values()).containsOnly(1);
                assertThat(crm.callsPerKey()).doesNotContainKey(first);

                Reply cancelDone = hub.admin("POST", "/api/backfills/" + id + "/cancel", ADMIN);
                assertThat(cancelDone.status()).isEqualTo(409);
                assertThat(hub.admin("GET", "/api/backfills", ADMIN)
                                .json()
                                .get(0)
                                .get("id")
                                .asLong())
                        .isEqualTo(id);
                assertThat(hub.admin("GET", "/api/replays/" + id, ADMIN).status())
                        .isEqualTo(404);
            }
        } finally {
            TestSchemas.drop(database);
        }
    }
}
