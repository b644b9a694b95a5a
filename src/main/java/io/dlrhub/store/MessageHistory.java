package io.dlrhub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** What happened to one message: its current status and every event, each with its sink deliveries. */
public class MessageHistory {

    private final DataSource dataSource;

    public MessageHistory(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record Delivery(String sink, String state, int attempts, String lastError, OffsetDateTime updatedAt) {}

    public record Event(
            UUID eventId,
            String channel,
            String status,
            String providerStatus,
            String errorCode,
            OffsetDateTime occurredAt,
            OffsetDateTime receivedAt,
            List<Delivery> deliveries) {}

    public record Message(
            String provider,
            String messageId,
            String channel,
            String status,
            UUID eventId,
            OffsetDateTime updatedAt,
            List<Event> events) {}

    public Optional<Message> find(String provider, String messageId) {
        try (Connection connection = dataSource.getConnection()) {
            try {
                return read(connection, provider, messageId);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("Could not read message history: " + e.getMessage(), e);
        }
    }

    private static Optional<Message> read(Connection connection, String provider, String messageId)
            throws SQLException {
        String channel;
        String status;
        UUID current;
        OffsetDateTime updatedAt;
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT channel, status, event_id, updated_at FROM message_status WHERE provider = ? AND message_id = ?")) {
            query.setString(1, provider);
            query.setString(2, messageId);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                channel = row.getString(1);
                status = row.getString(2);
                current = row.getObject(3, UUID.class);
                updatedAt = row.getObject(4, OffsetDateTime.class);
            }
        }
        Map<UUID, List<Delivery>> deliveries = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT o.event_id, o.sink, o.state, o.attempts, o.last_error, o.updated_at
                FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id
                WHERE e.provider = ? AND e.message_id = ? ORDER BY o.id""")) {
            query.setString(1, provider);
            query.setString(2, messageId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    deliveries
                            .computeIfAbsent(rows.getObject(1, UUID.class), id -> new ArrayList<>())
                            .add(new Delivery(
                                    rows.getString(2),
                                    rows.getString(3),
                                    rows.getInt(4),
                                    rows.getString(5),
                                    rows.getObject(6, OffsetDateTime.class)));
                }
            }
        }
        List<Event> events = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT event_id, channel, status, provider_status, error_code, occurred_at, received_at
                FROM delivery_event WHERE provider = ? AND message_id = ? ORDER BY received_at, event_id""")) {
            query.setString(1, provider);
            query.setString(2, messageId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    UUID eventId = rows.getObject(1, UUID.class);
                    events.add(new Event(
                            eventId,
                            rows.getString(2),
                            rows.getString(3),
                            rows.getString(4),
                            rows.getString(5),
                            rows.getObject(6, OffsetDateTime.class),
                            rows.getObject(7, OffsetDateTime.class),
                            deliveries.getOrDefault(eventId, List.of())));
                }
            }
        }
        return Optional.of(new Message(provider, messageId, channel, status, current, updatedAt, events));
    }
}
