package io.dlrhub.store;

import com.zaxxer.hikari.HikariDataSource;
import io.dlrhub.event.CanonicalEvent;
import io.dlrhub.event.EventJson;
import io.dlrhub.event.InvalidEventException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Commits canonical events, several in one transaction when they arrive together: the
 * delivery_event rows (once per provider dedup key), each message's current status, which only
 * ever moves up in rank, and whatever the new-event hook adds (the outbox deliveries).
 * Written in SQL that PostgreSQL and H2 (MODE=PostgreSQL) both run the same way.
 */
public class EventStore {

    private static final String INSERT_EVENT = """
            INSERT INTO delivery_event (event_id, provider, channel, message_id, status, provider_status,
                                        error_code, occurred_at, received_at, dedup_key, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";
    private static final String FIND_DUPLICATES =
            "SELECT dedup_key, event_id FROM delivery_event WHERE provider = ? AND dedup_key = ANY(?)";
    private static final String INSERT_STATUS = """
            INSERT INTO message_status (provider, message_id, channel, status, status_rank, event_id, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";
    private static final String RAISE_STATUS = """
            UPDATE message_status SET channel = ?, status = ?, status_rank = ?, event_id = ?, updated_at = ?
            WHERE provider = ? AND message_id = ? AND status_rank < ?""";
    private static final String BULK_INSERT_EVENTS = """
            INSERT INTO delivery_event (event_id, provider, channel, message_id, status, provider_status,
                                        error_code, occurred_at, received_at, dedup_key, payload)
            SELECT e::uuid, p, c, m, s, ps, ec, o::timestamptz, r::timestamptz, k, j
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                        ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS b(e, p, c, m, s, ps, ec, o, r, k, j, n)
            ORDER BY n
            ON CONFLICT DO NOTHING
            RETURNING event_id""";
    private static final String BULK_UPSERT_STATUSES = """
            INSERT INTO message_status (provider, message_id, channel, status, status_rank, event_id, updated_at)
            SELECT p, m, c, s, r::smallint, e::uuid, u::timestamptz
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS b(p, m, c, s, r, e, u)
            ON CONFLICT (provider, message_id) DO UPDATE
            SET channel = EXCLUDED.channel, status = EXCLUDED.status, status_rank = EXCLUDED.status_rank,
                event_id = EXCLUDED.event_id, updated_at = EXCLUDED.updated_at
            WHERE message_status.status_rank < EXCLUDED.status_rank""";
    /** Rows are locked in one global order, so two concurrent batches never wait on each other in a circle. */
    private static final Comparator<CanonicalEvent> BY_DEDUP_KEY =
            Comparator.comparing(CanonicalEvent::provider).thenComparing(CanonicalEvent::dedupKey);

    private static final Comparator<CanonicalEvent> BY_MESSAGE =
            Comparator.comparing(CanonicalEvent::provider).thenComparing(CanonicalEvent::messageId);

    private final DataSource dataSource;
    private final NewEventHook onNewEvents;
    private final PostgresBulk.Detector database = new PostgresBulk.Detector();

    /**
     * @param onNewEvents runs inside the transaction, with the new (not duplicate) events of it
     */
    public EventStore(DataSource dataSource, NewEventHook onNewEvents) {
        this.dataSource = dataSource;
        this.onNewEvents = onNewEvents;
    }

    /**
     * Work that must commit or roll back together with new events, such as enqueueing their
     * deliveries. What it returns runs once the transaction has committed (never when it rolled back).
     */
    @FunctionalInterface
    public interface NewEventHook {
        /** @param payloads each event's canonical JSON, as stored */
        Runnable accept(Connection connection, List<CanonicalEvent> events, Function<CanonicalEvent, String> payloads)
                throws SQLException;
    }

    private record Written(List<StoreResult> results, Runnable afterCommit) {}

    public StoreResult store(CanonicalEvent event) {
        return storeAll(List.of(event)).get(0);
    }

    /**
     * Stores the events in one transaction and returns one result per event, in order; or throws
     * {@link StoreUnavailableException} with nothing committed. A connection that turns out broken
     * (the database restarted, the network failed) and a deadlock are retried once; that is safe
     * because a repeat of a committed event is a duplicate.
     */
    public List<StoreResult> storeAll(List<CanonicalEvent> events) {
        try {
            return storeOnce(events);
        } catch (SQLException first) {
            if (first.getSQLState() != null && first.getSQLState().startsWith("22")) {
                // a value the database cannot hold (data exception): retrying would fail the same way
                throw new InvalidEventException("invalid_field", "a value of the webhook cannot be stored");
            }
            if (isLockTimeout(first)) {
                throw new EventLockedException(first);
            }
            if (!isRetryable(first)) {
                throw new StoreUnavailableException("Could not store events: " + first.getMessage(), first);
            }
            if (isConnectionFailure(first)) {
                evictPooledConnections();
            }
            try {
                return storeOnce(events);
            } catch (SQLException second) {
                second.addSuppressed(first);
                throw new StoreUnavailableException("Could not store events: " + second.getMessage(), second);
            }
        }
    }

    private List<StoreResult> storeOnce(List<CanonicalEvent> events) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            try {
                Written written = store(connection, events);
                connection.commit();
                written.afterCommit().run();
                return written.results();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        }
    }

    private Written store(Connection connection, List<CanonicalEvent> events) throws SQLException {
        List<CanonicalEvent> byKey = new ArrayList<>(events);
        byKey.sort(BY_DEDUP_KEY);
        // serialized once: stored here, and sent as it is by the deliveries handed over after the commit
        Map<CanonicalEvent, String> payloads = new IdentityHashMap<>();
        byKey.forEach(event -> payloads.put(event, EventJson.write(event)));
        boolean bulk = database.isPostgres(connection);
        int[] inserted =
                bulk ? bulkInsertEvents(connection, byKey, payloads) : insertEvents(connection, byKey, payloads);
        List<CanonicalEvent> fresh = new ArrayList<>();
        List<CanonicalEvent> repeated = new ArrayList<>();
        for (int i = 0; i < byKey.size(); i++) {
            (inserted[i] == 1 ? fresh : repeated).add(byKey.get(i));
        }
        Map<CanonicalEvent, StoreResult> results = new IdentityHashMap<>();
        fresh.forEach(event -> results.put(event, new StoreResult(event.eventId(), false)));
        if (!repeated.isEmpty()) {
            // a resend of 1,000 reports: one query for the ids stored before, not 1,000
            Map<List<String>, UUID> stored = findDuplicates(connection, repeated);
            for (CanonicalEvent event : repeated) {
                UUID first = stored.get(List.of(event.provider(), event.dedupKey()));
                if (first == null) {
                    throw new SQLException("delivery_event refused a duplicate that is not there");
                }
                results.put(event, new StoreResult(first, true));
            }
        }
        Runnable afterCommit = () -> {};
        if (!fresh.isEmpty()) {
            // stable sort: two statuses of one message keep the order in which they arrived
            List<CanonicalEvent> byMessage = new ArrayList<>(fresh);
            byMessage.sort(BY_MESSAGE);
            if (bulk) {
                upsertStatuses(connection, byMessage);
            } else {
                updateStatuses(connection, byMessage);
            }
            afterCommit = onNewEvents.accept(connection, fresh, payloads::get);
        }
        return new Written(events.stream().map(results::get).toList(), afterCommit);
    }

    private static int[] insertEvents(
            Connection connection, List<CanonicalEvent> events, Map<CanonicalEvent, String> payloads)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENT)) {
            for (CanonicalEvent event : events) {
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
                insert.setString(11, payloads.get(event));
                insert.addBatch();
            }
            return insert.executeBatch();
        }
    }

    /** The same as {@link #insertEvents} in one statement: 1 for each event inserted, 0 for a duplicate. */
    private static int[] bulkInsertEvents(
            Connection connection, List<CanonicalEvent> events, Map<CanonicalEvent, String> payloads)
            throws SQLException {
        Set<UUID> insertedIds = new HashSet<>();
        try (PreparedStatement insert = connection.prepareStatement(BULK_INSERT_EVENTS)) {
            int i = 1;
            insert.setObject(i++, PostgresBulk.texts(events, CanonicalEvent::eventId));
            insert.setObject(i++, PostgresBulk.texts(events, CanonicalEvent::provider));
            insert.setObject(i++, PostgresBulk.texts(events, CanonicalEvent::channel));
            insert.setObject(i++, PostgresBulk.texts(events, CanonicalEvent::messageId));
            insert.setObject(i++, PostgresBulk.texts(events, e -> e.status().name()));
            insert.setObject(i++, PostgresBulk.texts(events, CanonicalEvent::providerStatus));
            insert.setObject(i++, PostgresBulk.texts(events, CanonicalEvent::errorCode));
            insert.setObject(i++, PostgresBulk.texts(events, CanonicalEvent::occurredAt));
            insert.setObject(i++, PostgresBulk.texts(events, CanonicalEvent::receivedAt));
            insert.setObject(i++, PostgresBulk.texts(events, CanonicalEvent::dedupKey));
            insert.setObject(i, PostgresBulk.texts(events, payloads::get));
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    insertedIds.add(rows.getObject(1, UUID.class));
                }
            }
        }
        int[] inserted = new int[events.size()];
        for (int i = 0; i < inserted.length; i++) {
            inserted[i] = insertedIds.contains(events.get(i).eventId()) ? 1 : 0;
        }
        return inserted;
    }

    /**
     * The same outcome as {@link #updateStatuses} in one statement. One statement may touch a row
     * only once, so each message contributes its winner: the first of its highest-ranked events,
     * which is the one that would have stayed had they been written one after the other.
     */
    private static void upsertStatuses(Connection connection, List<CanonicalEvent> byMessage) throws SQLException {
        List<CanonicalEvent> winners = new ArrayList<>();
        for (CanonicalEvent event : byMessage) {
            CanonicalEvent last = winners.isEmpty() ? null : winners.get(winners.size() - 1);
            if (last != null
                    && last.provider().equals(event.provider())
                    && last.messageId().equals(event.messageId())) {
                if (event.status().rank() > last.status().rank()) {
                    winners.set(winners.size() - 1, event);
                }
            } else {
                winners.add(event);
            }
        }
        try (PreparedStatement upsert = connection.prepareStatement(BULK_UPSERT_STATUSES)) {
            int i = 1;
            upsert.setObject(i++, PostgresBulk.texts(winners, CanonicalEvent::provider));
            upsert.setObject(i++, PostgresBulk.texts(winners, CanonicalEvent::messageId));
            upsert.setObject(i++, PostgresBulk.texts(winners, CanonicalEvent::channel));
            upsert.setObject(i++, PostgresBulk.texts(winners, e -> e.status().name()));
            upsert.setObject(i++, PostgresBulk.texts(winners, e -> e.status().rank()));
            upsert.setObject(i++, PostgresBulk.texts(winners, CanonicalEvent::eventId));
            upsert.setObject(i, PostgresBulk.texts(winners, CanonicalEvent::receivedAt));
            upsert.executeUpdate();
        }
    }

    /**
     * The event ids already stored under the events' dedup keys (within this transaction too: a
     * report repeated within one request is a duplicate of its first copy), keyed by provider and
     * dedup key.
     */
    private static Map<List<String>, UUID> findDuplicates(Connection connection, List<CanonicalEvent> events)
            throws SQLException {
        Map<String, List<CanonicalEvent>> byProvider = new TreeMap<>();
        events.forEach(event -> byProvider
                .computeIfAbsent(event.provider(), p -> new ArrayList<>())
                .add(event));
        Map<List<String>, UUID> stored = new HashMap<>();
        try (PreparedStatement find = connection.prepareStatement(FIND_DUPLICATES)) {
            for (Map.Entry<String, List<CanonicalEvent>> provider : byProvider.entrySet()) {
                find.setString(1, provider.getKey());
                find.setObject(2, PostgresBulk.texts(provider.getValue(), CanonicalEvent::dedupKey));
                try (ResultSet rows = find.executeQuery()) {
                    while (rows.next()) {
                        stored.put(List.of(provider.getKey(), rows.getString(1)), rows.getObject(2, UUID.class));
                    }
                }
            }
        }
        return stored;
    }

    /** A new message gets its status row; a known one only moves up in rank. Both as batches. */
    private static void updateStatuses(Connection connection, List<CanonicalEvent> events) throws SQLException {
        int[] inserted;
        try (PreparedStatement insert = connection.prepareStatement(INSERT_STATUS)) {
            for (CanonicalEvent event : events) {
                insert.setString(1, event.provider());
                insert.setString(2, event.messageId());
                insert.setString(3, event.channel());
                insert.setString(4, event.status().name());
                insert.setInt(5, event.status().rank());
                insert.setObject(6, event.eventId());
                insert.setObject(7, event.receivedAt());
                insert.addBatch();
            }
            inserted = insert.executeBatch();
        }
        boolean anyKnown = false;
        try (PreparedStatement update = connection.prepareStatement(RAISE_STATUS)) {
            for (int i = 0; i < events.size(); i++) {
                if (inserted[i] == 1) {
                    continue;
                }
                CanonicalEvent event = events.get(i);
                update.setString(1, event.channel());
                update.setString(2, event.status().name());
                update.setInt(3, event.status().rank());
                update.setObject(4, event.eventId());
                update.setObject(5, event.receivedAt());
                update.setString(6, event.provider());
                update.setString(7, event.messageId());
                update.setInt(8, event.status().rank());
                update.addBatch();
                anyKnown = true;
            }
            if (anyKnown) {
                update.executeBatch();
            }
        }
    }

    /** SQL state class 08: the connection failed; 40001/40P01: serialization failure or deadlock. */
    private static boolean isRetryable(SQLException e) {
        String state = e.getSQLState();
        return isConnectionFailure(e) || "40001".equals(state) || "40P01".equals(state);
    }

    /** PostgreSQL 55P03 (lock_not_available, from lock_timeout); H2 50200 (its LOCK_TIMEOUT). */
    private static boolean isLockTimeout(SQLException e) {
        return "55P03".equals(e.getSQLState()) || e.getErrorCode() == 50200 && "HYT00".equals(e.getSQLState());
    }

    private static boolean isConnectionFailure(SQLException e) {
        return e.getSQLState() != null
                && e.getSQLState().startsWith("08")
                && !(e instanceof java.sql.SQLTransientConnectionException);
    }

    /** The other pooled connections went to the same database: replace them all, not one per failed webhook. */
    private void evictPooledConnections() {
        if (dataSource instanceof HikariDataSource hikari && hikari.getHikariPoolMXBean() != null) {
            hikari.getHikariPoolMXBean().softEvictConnections();
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
