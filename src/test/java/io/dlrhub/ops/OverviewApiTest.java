package io.dlrhub.ops;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GET /api/overview and GET /api/sinks against a running hub with a real CRM receiver, on H2 and
 * on PostgreSQL (the per-minute counts are SQL of both).
 */
class OverviewApiTest {

    private static final String ADMIN = "overview-admin-token-0123456789";
    private static final String CRM_TOKEN = "crm-token-never-shown-0123456789";

    static java.util.stream.Stream<Arguments> databases() {
        return java.util.stream.Stream.of(
                Arguments.of("H2", (Supplier<TestDatabase>) TestDatabase::h2InMemory),
                Arguments.of("PostgreSQL", (Supplier<TestDatabase>) TestDatabase::postgres));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void showsWhatWasReceivedAndEachSinksBacklogAndDeadDeliveries(String name, Supplier<TestDatabase> databases)
            throws Exception {
        AtomicInteger answer = new AtomicInteger(200);
        CountDownLatch held = new CountDownLatch(1);
        TestDatabase database = databases.get();
        // message 1003 is held at the CRM until the end: its delivery stays pending meanwhile
        try (Receiver crm = Receiver.start((key, body) -> {
                    if (body.contains("\"message_id\":\"1003\"")) {
                        held.await(60, TimeUnit.SECONDS);
                    }
                    return new Receiver.Reply(answer.get(), Map.of());
                });
                RunningHub hub = RunningHub.start(
                        database,
                        Map.of(
                                "admin.token",
                                ADMIN,
                                "smsby.tokens",
                                "tok",
                                // a URL's path and query may hold credentials: neither is shown
                                "crm.url",
                                crm.url() + "/hook-secret-path?key=query-secret",
                                "crm.token",
                                CRM_TOKEN,
                                "crm.max-attempts",
                                "2",
                                "crm.retry-initial-ms",
                                "50",
                                "crm.retry-max-ms",
                                "50"))) {
            String delivered = webhook(hub, "1001", "SENT");
            // recorded as delivered (its attempt is written with that outcome)
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> hub.admin("GET", "/api/messages/smsby/1001", ADMIN)
                            .json()
                            .get("events")
                            .get(0)
                            .get("deliveries")
                            .get(0)
                            .get("state")
                            .asText()
                            .equals("delivered"));
            assertThat(crm.callsPerKey()).containsEntry(delivered, 1);
            answer.set(503);
            String dead = webhook(hub, "1002", "SENT");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> hub.admin("GET", "/api/outbox?state=dead", ADMIN)
                                    .json()
                                    .size()
                            == 1);
            webhook(hub, "1003", "SENT");

            JsonNode overview = hub.admin("GET", "/api/overview", ADMIN).json();

            assertThat(overview.get("database").asText()).isEqualTo("UP");
            assertThat(overview.get("webhooks_per_second").asDouble()).isEqualTo(0.05);
            JsonNode minutes = overview.get("received_last_hour");
            assertThat(minutes).hasSize(60);
            long total = 0;
            for (JsonNode minute : minutes) {
                assertThat(Instant.parse(minute.get("minute").asText()).getEpochSecond() % 60)
                        .isZero();
                total += minute.get("count").asLong();
            }
            assertThat(total).isEqualTo(3);
            assertThat(Instant.parse(minutes.get(59).get("minute").asText()))
                    .isEqualTo(
                            Instant.parse(overview.get("generated_at").asText()).truncatedTo(ChronoUnit.MINUTES));
            JsonNode crmRow = sink(overview.get("sinks"), "crm");
            assertThat(crmRow.get("dead").asLong()).isEqualTo(1);
            assertThat(crmRow.get("pending").asLong())
                    .as("1003, held at the CRM")
                    .isEqualTo(1);
            assertThat(crmRow.get("oldest_pending_age_seconds").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(sink(overview.get("sinks"), "alert").get("pending").asLong())
                    .as("the dead delivery's alert, in its digest window")
                    .isEqualTo(1);

            // an attempt older than the 24 hours the sinks page shows (written directly: the test cannot wait a day)
            long deadId = hub.admin("GET", "/api/outbox?state=dead", ADMIN)
                    .json()
                    .get(0)
                    .get("id")
                    .asLong();
            insertAttempt(
                    database,
                    deadId,
                    dead,
                    0,
                    Instant.now().minus(Duration.ofHours(25)),
                    "retry",
                    500,
                    "too old to show");

            JsonNode sinks = hub.admin("GET", "/api/sinks", ADMIN).json();
            JsonNode crmSink = sink(sinks, "crm");
            assertThat(crmSink.get("enabled").asBoolean()).isTrue();
            assertThat(crmSink.get("statuses").get(0).asText()).isEqualTo("ALL");
            assertThat(crmSink.get("dead").asLong()).isEqualTo(1);
            assertThat(crmSink.get("settings").get("url").asText())
                    .isEqualTo(
                            "http://127.0.0.1:" + java.net.URI.create(crm.url()).getPort() + "/…");
            assertThat(crmSink.get("settings").get("bearer_token").asText()).isEqualTo("set");
            assertThat(crmSink.get("settings").get("max_attempts").asInt()).isEqualTo(2);
            // the failed attempts as the dispatcher recorded them, newest first
            JsonNode failures = crmSink.get("recent_failures");
            assertThat(failures).hasSize(2);
            assertThat(failures.get(1).get("outcome").asText()).isEqualTo("retry");
            assertThat(failures.get(0).get("outcome").asText()).isEqualTo("dead");
            assertThat(failures.get(0).get("outbox_id").asLong()).isEqualTo(deadId);
            assertThat(failures.get(0).get("event_id").asText()).isEqualTo(dead);
            assertThat(failures.get(0).get("http_status").asInt()).isEqualTo(503);
            assertThat(failures.get(0).get("detail").asText()).isEqualTo("HTTP 503 Service Unavailable");
            assertThat(sink(sinks, "alert").get("statuses").get(0).asText()).isEqualTo("FAILED");
            assertThat(sinks.toString())
                    .doesNotContain(CRM_TOKEN)
                    .doesNotContain("query-secret")
                    .doesNotContain("hook-secret-path");

            JsonNode recent =
                    sink(hub.admin("GET", "/api/overview", ADMIN).json().get("sinks"), "crm");
            assertThat(recent.get("failed").asLong()).isEqualTo(2);
            assertThat(recent.get("delivered").asLong()).as("1001").isEqualTo(1);
            held.countDown();
        }
    }

    private static String webhook(RunningHub hub, String messageId, String status) {
        RunningHub.Reply reply = hub.post(
                "/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=" + messageId + "&status=" + status);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.field("event_id");
    }

    private static JsonNode sink(JsonNode sinks, String name) {
        for (JsonNode sink : sinks) {
            if (name.equals(sink.get("name").asText())) {
                return sink;
            }
        }
        throw new AssertionError("no sink " + name + " in " + sinks);
    }

    private static void insertAttempt(
            TestDatabase database,
            long outboxId,
            String eventId,
            int attempt,
            Instant startedAt,
            String outcome,
            int httpStatus,
            String detail)
            throws Exception {
        try (Connection connection = database.connect();
                PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO delivery_attempt (outbox_id, event_id, sink, attempt, started_at, duration_ms, outcome, http_status, detail)
                     VALUES (?, ?, 'crm', ?, ?, 12, ?, ?, ?)""")) {
            insert.setLong(1, outboxId);
            insert.setObject(2, UUID.fromString(eventId));
            insert.setInt(3, attempt);
            insert.setObject(4, OffsetDateTime.ofInstant(startedAt, ZoneOffset.UTC));
            insert.setString(5, outcome);
            insert.setInt(6, httpStatus);
            insert.setString(7, detail);
            insert.executeUpdate();
        }
    }
}
