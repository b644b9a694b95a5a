package io.dlrhub.contract;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sink route gives a delivery up with {@code dlr:undeliverable}: dead at the first attempt, with
 * its reason, and found by the operations API's search for the dead (on both databases: the dead
 * delivery is written by a different statement on each).
 */
class UndeliverableSinkTest {

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aDeliveryGivenUpIsDeadAtOnceWithItsReasonAndFoundAmongTheDead(String kind) throws IOException {
        Path sink = directory.resolve("sink-picky.camel.yaml");
        Files.writeString(sink, """
                - route:
                    id: sink-picky
                    from:
                      uri: direct:sink-picky
                      steps:
                        - choice:
                            when:
                              - simple: "${body} contains 'VIBER'"
                                steps:
                                  - to: dlr:undeliverable?reason=the receiver takes no Viber events
                """);
        TestDatabase database = kind.equals("h2") ? TestDatabase.h2InMemory() : TestDatabase.postgres();
        try (RunningHub hub = RunningHub.start(
                database,
                Map.of(
                        "smsby.tokens",
                        "tok",
                        "camel.main.routes-include-pattern",
                        "file:routes/*.camel.yaml,file:" + sink,
                        "sink.picky.max-attempts",
                        "5",
                        "admin.token",
                        "test-admin-token-1"))) {
            assertThat(hub.post("/webhooks/smsby?token=tok", FORM, "channel=VIBER&message_id=u-1&status=SENT")
                            .status())
                    .isEqualTo(200);
            assertThat(hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=u-2&status=SENT")
                            .status())
                    .isEqualTo(200);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Sql.count(
                                    database, "SELECT COUNT(*) FROM outbox WHERE sink = 'picky' AND state <> 'pending'")
                            == 2);
            List<Map<String, Object>> rows = Sql.rows(
                    database,
                    "SELECT e.message_id, o.state, o.attempts, o.last_error"
                            + " FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id WHERE o.sink = 'picky' ORDER BY e.message_id");
            // the Viber event: dead at the first attempt although five are allowed, with the reason
            assertThat(rows.get(0))
                    .containsEntry("message_id", "u-1")
                    .containsEntry("state", "dead")
                    .containsEntry("attempts", 1);
            assertThat((String) rows.get(0).get("last_error")).contains("the receiver takes no Viber events");
            assertThat(rows.get(1)).containsEntry("message_id", "u-2").containsEntry("state", "delivered");
            RunningHub.Reply dead = hub.admin("GET", "/api/events?sink=picky&sink_state=dead", "test-admin-token-1");
            assertThat(dead.status()).as(dead.body()).isEqualTo(200);
            assertThat(dead.json().get("events")).hasSize(1);
            assertThat(dead.json().get("events").get(0).get("message_id").asText())
                    .isEqualTo("u-1");
        }
    }
}
