package io.dlrhub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.dlrhub.event.CanonicalEvent;
import io.dlrhub.event.EventJson;

/**
 * Commits one canonical event in one transaction: the delivery_event row (once per provider
 * dedup key), the message's current status, which only ever moves up in rank, and whatever the
 * new-event hook adds (the outbox deliveries).
 * Written in SQL that PostgreSQL and H2 (MODE=PostgreSQL) both run the same way.
 */
public class EventStore {

    private static final String INSERT_EVENT = """
            INSERT INTO delivery_event (event_id, provider, channel, message_id, status, provider_status,
                                        error_code, occurred_at, received_at, dedup_key, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";
    private static final String FIND_DUPLICATE =
            "SELECT event_id FROM delivery_event WHERE provider = ? AND dedup_key = ?";
    private static final String INSERT_STATUS = """
            INSERT INTO message_status (provider, message_id, channel, status, status_rank, event_id, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";
    private static final String RAISE_STATUS = """
            UPDATE message_status SET channel = ?, status = ?, status_rank = ?, event_id = ?, updated_at = ?
            WHERE provider = ? AND message_id = ? AND status_rank < ?""";

    private final DataSource dataSource;
    private final NewEventHook onNewEvent;

    /**
     * @param onNewEvent runs inside the transaction of every new (not duplicate) event
     */
    public EventStore(DataSource dataSource, NewEventHook onNewEvent) {
        this.dataSource = dataSource;
        this.onNewEvent = onNewEvent;
    }

    /** Work that must commit or roll back together with a new event, such as enqueueing its deliveries. */
    @FunctionalInterface
    public interface NewEventHook {
        void accept(Connection connection, CanonicalEvent event) throws SQLException;
    }

    /**
     * Stores the event, or throws {@link StoreUnavailableException} with nothing committed.
     * A connection that turns out broken (the database restarted, the network failed) is retried
     * once on a fresh one; that is safe because a repeat of a committed event is a duplicate.
     */
    public StoreResult store(CanonicalEvent event) {
        try {
            return storeOnce(event);
        } catch (SQLException first) {
            if (!isConnectionFailure(first)) {
                throw new StoreUnavailableException("Could not store event: " + first.getMessage(), first);
            }
            evictPooledConnections();
            try {
                return storeOnce(event);
            } catch (SQLException second) {
                second.addSuppressed(first);
                throw new StoreUnavailableException("Could not store event: " + second.getMessage(), second);
            }
        }
    }

    private StoreResult storeOnce(CanonicalEvent event) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            try {
                StoreResult result = store(connection, event);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        }
    }

    /** SQL state class 08: the connection failed, not the statement. */
    private static boolean isConnectionFailure(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("08")
                && !(e instanceof java.sql.SQLTransientConnectionException);
    }

    /** The other pooled connections went to the same database: replace them all, not one per failed webhook. */
    private void evictPooledConnections() {
        if (dataSource instanceof HikariDataSource hikari && hikari.getHikariPoolMXBean() != null) {
            hikari.getHikariPoolMXBean().softEvictConnections();
        }
    }

    StoreResult store(Connection connection, CanonicalEvent event) throws SQLException {
        if (!insertEvent(connection, event)) {
            return new StoreResult(findDuplicate(connection, event), true);
        }
        if (!insertStatus(connection, event)) {
            raiseStatus(connection, event);
        }
        onNewEvent.accept(connection, event);
        return new StoreResult(event.eventId(), false);
    }

    private static boolean insertEvent(Connection connection, CanonicalEvent event) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENT)) {
            insert.setObject(1, event.eventId());
            insert.setString(2, event.provider());
            insert.setString(3, event.channel());
            insert.setString(4, event.messageId());
            insert.setString(5, event.status().name());
            insert.setString(6, event.providerStatus());
            insert.setString(7, event.errorCode());
            insert.setObject(8, event.occurredAt());
            insert.setObject(9, event.receivedAt());
            insert.setString(10, event.dedupKey());
            insert.setString(11, EventJson.write(event));
            return insert.executeUpdate() == 1;
        }
    }

    private static UUID findDuplicate(Connection connection, CanonicalEvent event) throws SQLException {
        try (PreparedStatement find = connection.prepareStatement(FIND_DUPLICATE)) {
            find.setString(1, event.provider());
            find.setString(2, event.dedupKey());
            try (ResultSet rows = find.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("delivery_event refused a duplicate that is not there");
                }
                return rows.getObject(1, UUID.class);
            }
        }
    }

    private static boolean insertStatus(Connection connection, CanonicalEvent event) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT_STATUS)) {
            insert.setString(1, event.provider());
            insert.setString(2, event.messageId());
            insert.setString(3, event.channel());
            insert.setString(4, event.status().name());
            insert.setInt(5, event.status().rank());
            insert.setObject(6, event.eventId());
            insert.setObject(7, event.receivedAt());
            return insert.executeUpdate() == 1;
        }
    }

    private static void raiseStatus(Connection connection, CanonicalEvent event) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(RAISE_STATUS)) {
            update.setString(1, event.channel());
            update.setString(2, event.status().name());
            update.setInt(3, event.status().rank());
            update.setObject(4, event.eventId());
            update.setObject(5, event.receivedAt());
            update.setString(6, event.provider());
            update.setString(7, event.messageId());
            update.setInt(8, event.status().rank());
            update.executeUpdate();
        }
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }
}
