package io.dlrhub.store;

import io.dlrhub.store.EventSearch.Row;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * One event as an operator investigates it: the canonical JSON as stored, its message's timeline,
 * and each of its deliveries with every attempt (table delivery_attempt).
 */
public class EventDetails {

    /** A message with more events than this shows its latest ones. */
    static final int MAX_TIMELINE = 1000;

    private final DataSource dataSource;

    public EventDetails(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record Attempt(
            int attempt, OffsetDateTime startedAt, int durationMs, String outcome, Integer httpStatus, String detail) {}

    /** One outbox row of the event; {@code note}: why it exists when it is about another delivery (an alert). */
    public record Delivery(
            long id,
            String sink,
            String state,
            int attempts,
            OffsetDateTime nextAttemptAt,
            String lastError,
            String note,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt,
            List<Attempt> attemptHistory) {}

    /** {@code payload}: the canonical event JSON exactly as stored. */
    public record Details(Row event, String payload, List<Row> timeline, List<Delivery> deliveries) {}

    public Optional<Details> find(UUID eventId) {
        try (Connection connection = dataSource.getConnection()) {
            try {
                return read(connection, eventId);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("Could not read event: " + e.getMessage(), e);
        }
    }

    private static Optional<Details> read(Connection connection, UUID eventId) throws SQLException {
        Row event;
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT " + EventSearch.COLUMNS + " FROM delivery_event e WHERE e.event_id = ?")) {
            query.setObject(1, eventId);
            List<Row> rows = EventSearch.readRows(query);
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            event = rows.get(0);
        }
        String payload;
        try (PreparedStatement query =
                connection.prepareStatement("SELECT payload FROM delivery_event WHERE event_id = ?")) {
            query.setObject(1, eventId);
            try (ResultSet result = query.executeQuery()) {
                payload = result.next() ? result.getString(1) : null;
            }
        }
        List<Row> timeline;
        // the latest events of the message, shown oldest first
        try (PreparedStatement query = connection.prepareStatement("SELECT " + EventSearch.COLUMNS
                + " FROM delivery_event e WHERE e.provider = ? AND e.message_id = ?"
                + " ORDER BY e.received_at DESC, e.event_id DESC LIMIT " + MAX_TIMELINE)) {
            query.setString(1, event.provider());
            query.setString(2, event.messageId());
            timeline = new ArrayList<>(EventSearch.readRows(query));
        }
        Collections.reverse(timeline);
        timeline = EventSearch.withSinks(connection, timeline);
        Row withSinks = timeline.stream()
                .filter(row -> row.eventId().equals(eventId))
                .findFirst()
                .orElseGet(() -> event);
        return Optional.of(new Details(withSinks, payload, timeline, deliveries(connection, eventId)));
    }

    private static List<Delivery> deliveries(Connection connection, UUID eventId) throws SQLException {
        Map<Long, List<Attempt>> attempts = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT outbox_id, attempt, started_at, duration_ms, outcome, http_status, detail
                FROM delivery_attempt WHERE event_id = ? ORDER BY outbox_id, attempt, started_at, id""")) {
            query.setObject(1, eventId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    attempts.computeIfAbsent(rows.getLong(1), id -> new ArrayList<>())
                            .add(new Attempt(
                                    rows.getInt(2),
                                    EventSearch.utc(rows.getObject(3, OffsetDateTime.class)),
                                    rows.getInt(4),
                                    rows.getString(5),
                                    rows.getObject(6, Integer.class),
                                    rows.getString(7)));
                }
            }
        }
        List<Delivery> deliveries = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT id, sink, state, attempts, next_attempt_at, last_error, note, created_at, updated_at
                FROM outbox WHERE event_id = ? ORDER BY id""")) {
            query.setObject(1, eventId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    long id = rows.getLong(1);
                    deliveries.add(new Delivery(
                            id,
                            rows.getString(2),
                            rows.getString(3),
                            rows.getInt(4),
                            EventSearch.utc(rows.getObject(5, OffsetDateTime.class)),
                            rows.getString(6),
                            rows.getString(7),
                            EventSearch.utc(rows.getObject(8, OffsetDateTime.class)),
                            EventSearch.utc(rows.getObject(9, OffsetDateTime.class)),
                            attempts.getOrDefault(id, List.of())));
                }
            }
        }
        return deliveries;
    }
}
