package io.dlrhub.outbox;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TcpProxy;
import io.dlrhub.support.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * examples/sink-legacy-table.camel.yaml: every event becomes one row of a user's own table, in a
 * database of its own (the machine's PostgreSQL, and H2), even when a delivery is repeated.
 */
class LegacyTableSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static void createTable(TestDatabase legacy) throws Exception {
        try (Connection connection = legacy.connect();
                Statement statement = connection.createStatement()) {
            statement.execute(
                    "CREATE TABLE legacy_dlr (event_id VARCHAR(36) PRIMARY KEY, message_id VARCHAR(200) NOT NULL,"
                            + " status VARCHAR(20) NOT NULL, received_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        }
    }

    static Stream<TestDatabase> legacyDatabases() {
        return Stream.of(TestDatabase.postgres(), TestDatabase.h2InMemory());
    }

    @ParameterizedTest(name = "legacy table in {0}")
    @MethodSource("legacyDatabases")
    void everyEventIsOneRowOfTheUsersTableEvenWhenDeliveredTwice(TestDatabase legacy) throws Exception {
        createTable(legacy);
        TestDatabase hubDatabase = TestDatabase.h2InMemory();
        try (RunningHub hub = RunningHub.start(
                hubDatabase,
                Map.of(
                        "smsby.tokens", "tok",
                        "camel.main.routes-include-pattern",
                                "file:routes/*.camel.yaml,file:examples/sink-legacy-table.camel.yaml",
                        "legacy.db.url", legacy.url(),
                        "legacy.db.user", legacy.user(),
                        "legacy.db.password", legacy.password()))) {
            Map<String, String> statusOf = new HashMap<>();
            for (String[] report :
                    List.of(new String[] {"lt-1", "SENT"}, new String[] {"lt-1", "DELIVERED"}, new String[] {
                        "lt-2", "NOT_DELIVERED"
                    })) {
                String eventId = hub.post(
                                "/webhooks/smsby?token=tok",
                                FORM,
                                "channel=SMS&message_id=" + report[0] + "&status=" + report[1])
                        .field("event_id");
                statusOf.put(eventId, report[0] + " " + (report[1].equals("NOT_DELIVERED") ? "FAILED" : report[1]));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Sql.count(
                                    hubDatabase,
                                    "SELECT COUNT(*) FROM outbox WHERE sink = 'legacy-table' AND state = 'delivered'")
                            == 3);

            // a repeated delivery (as after a crash before the outbox recorded it) changes nothing
            Map<String, Object> first = Sql.rows(
                            hubDatabase, "SELECT event_id, payload FROM delivery_event ORDER BY event_id")
                    .get(0);
            hub.context()
                    .createProducerTemplate()
                    .sendBodyAndHeader(
                            "direct:sink-legacy-table",
                            String.valueOf(first.get("payload")),
                            "DlrEventId",
                            first.get("event_id"));

            List<Map<String, Object>> rows =
                    Sql.rows(legacy, "SELECT event_id, message_id, status, received_at FROM legacy_dlr");
            Map<String, String> written = new HashMap<>();
            for (Map<String, Object> row : rows) {
                written.put(String.valueOf(row.get("event_id")), row.get("message_id") + " " + row.get("status"));
                // received_at is the event's instant, whatever the database's time zone
                Object at = row.get("received_at");
                Instant instant =
                        at instanceof OffsetDateTime odt ? odt.toInstant() : ((java.sql.Timestamp) at).toInstant();
                String payload = String.valueOf(Sql.rows(
                                hubDatabase,
                                "SELECT payload FROM delivery_event WHERE event_id = ?",
                                row.get("event_id"))
                        .get(0)
                        .get("payload"));
                assertThat(instant)
                        .isEqualTo(Instant.parse(
                                JSON.readTree(payload).get("received_at").asText()));
            }
            assertThat(rows).hasSize(3);
            assertThat(written).isEqualTo(statusOf);
        }
    }

    @Test
    void theHubStartsWhileTheLegacyDatabaseIsDownAndItsRowsArriveWhenItIsBack() throws Exception {
        TestDatabase legacy = TestDatabase.postgres();
        createTable(legacy);
        TestDatabase hubDatabase = TestDatabase.h2InMemory();
        try (TcpProxy proxy = legacy.proxy()) {
            proxy.cut();
            TestDatabase reached = legacy.through(proxy);
            try (RunningHub hub = RunningHub.start(
                    hubDatabase,
                    Map.of(
                            "smsby.tokens", "tok",
                            "camel.main.routes-include-pattern",
                                    "file:routes/*.camel.yaml,file:examples/sink-legacy-table.camel.yaml",
                            "legacy.db.url", reached.url(),
                            "legacy.db.user", legacy.user(),
                            "legacy.db.password", legacy.password(),
                            "sink.legacy-table.retry-initial-ms", "200",
                            "sink.legacy-table.retry-max-ms", "400"))) {
                for (int i = 1; i <= 3; i++) {
                    hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=down-" + i + "&status=SENT");
                }
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> Sql.count(
                                        hubDatabase,
                                        "SELECT COUNT(*) FROM outbox WHERE sink = 'legacy-table' AND state = 'pending' AND attempts >= 2")
                                == 3);

                proxy.start();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> Sql.count(
                                        hubDatabase,
                                        "SELECT COUNT(*) FROM outbox WHERE sink = 'legacy-table' AND state = 'delivered'")
                                == 3);
                assertThat(Sql.count(legacy, "SELECT COUNT(*) FROM legacy_dlr WHERE message_id LIKE 'down-%'"))
                        .isEqualTo(3);
            }
        }
    }
}
