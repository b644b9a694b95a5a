package io.dlrhub.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.event.EventIds;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Rows written straight into the tables, for tests that need received_at, states and attempts
 * chosen exactly (ties, ranges, dead deliveries), and the operations API's calls with a body.
 */
final class Fixtures {

    static final String ADMIN = "adm";

    private final TestDatabase database;

    Fixtures(TestDatabase database) {
        this.database = database;
    }

    /** Stores one event the way the event store does (canonical JSON in payload); returns its id. */
    UUID event(String provider, String channel, String messageId, String status, OffsetDateTime receivedAt) {
        UUID id = EventIds.at(receivedAt.toInstant().toEpochMilli());
        String payload =
                """
                {"event_id":"%s","provider":"%s","channel":"%s","message_id":"%s","status":"%s","provider_status":"%s",\
                "received_at":"%s","attributes":{}}""".formatted(id, provider, channel, messageId.replace("\\", "\\\\"), status, status, receivedAt);
        execute("""
                INSERT INTO delivery_event (event_id, provider, channel, message_id, status, provider_status, error_code,
                    occurred_at, received_at, dedup_key, payload) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)""", id, provider, channel, messageId, status, status, receivedAt, id.toString(), payload);
        return id;
    }

    /** One delivery of the event to the sink, in that state; returns its outbox id. */
    long delivery(UUID eventId, String sink, String state, OffsetDateTime at) {
        try (Connection connection = database.connect();
                PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO outbox (event_id, sink, state, attempts, next_attempt_at, last_error, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", new String[] {"id"})) {
            insert.setObject(1, eventId);
            insert.setString(2, sink);
            insert.setString(3, state);
            insert.setInt(4, "pending".equals(state) ? 0 : 1);
            insert.setObject(5, at);
            insert.setString(6, "dead".equals(state) ? "HTTP 400 from the CRM" : null);
            insert.setObject(7, at);
            insert.setObject(8, at);
            insert.executeUpdate();
            long id;
            try (var keys = insert.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
            if ("dead".equals(state)) {
                // as the dispatcher does when a delivery dies (OutboxStore.markDead)
                try (PreparedStatement dead = connection.prepareStatement(
                        "UPDATE outbox SET event_received_at = (SELECT e.received_at FROM delivery_event e"
                                + " WHERE e.event_id = outbox.event_id) WHERE id = ?")) {
                    dead.setLong(1, id);
                    dead.executeUpdate();
                }
            }
            return id;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void attempt(
            long outboxId,
            UUID eventId,
            String sink,
            int attempt,
            OffsetDateTime startedAt,
            String outcome,
            Integer httpStatus,
            String detail) {
        execute("""
                INSERT INTO delivery_attempt (outbox_id, event_id, sink, attempt, started_at, duration_ms, outcome,
                    http_status, detail) VALUES (?, ?, ?, ?, ?, 12, ?, ?, ?)""", outboxId, eventId, sink, attempt, startedAt, outcome, httpStatus, detail);
    }

    void execute(String sql, Object... parameters) {
        try (Connection connection = database.connect();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("failed: " + sql, e);
        }
    }

    void execute(String sql) {
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("failed: " + sql, e);
        }
    }

    /** A management API call with a JSON body and the admin token. */
    static RunningHub.Reply postJson(RunningHub hub, String path, String json) {
        return hub.send(HttpRequest.newBuilder(hub.managementUri(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    /** The event ids of a search page, in its order; the page must have been answered 200. */
    static List<String> eventIds(RunningHub.Reply reply) {
        return eventField(reply, "event_id");
    }

    /** The message ids of a search page, in its order; the page must have been answered 200. */
    static List<String> messageIds(RunningHub.Reply reply) {
        return eventField(reply, "message_id");
    }

    private static List<String> eventField(RunningHub.Reply reply, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<String> values = new ArrayList<>();
        reply.json().get("events").forEach(event -> values.add(event.get(field).asText()));
        return values;
    }
}
