package io.dlrhub.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import javax.sql.DataSource;

import io.dlrhub.event.CanonicalEvent;
import io.dlrhub.store.PostgresBulk;
import io.dlrhub.store.StoreUnavailableException;

/**
 * The outbox table. Rows are claimed with a lease: on PostgreSQL with {@code FOR UPDATE SKIP LOCKED},
 * so any number of instances share one database without two of them taking the same row; on H2
 * (one embedded instance) with a conditional update. A claim that is never settled (the process
 * died) expires with its lease and the row is claimed again.
 */
public class OutboxStore {

    static final String PENDING = "pending";
    static final String DELIVERED = "delivered";
    static final String DEAD = "dead";

    private static final String INSERT = """
            INSERT INTO outbox (event_id, sink, state, attempts, next_attempt_at, note, created_at, updated_at,
                                lease_until, claimed_by)
            VALUES (?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?)""";
    private static final String BULK_INSERT = """
            INSERT INTO outbox (event_id, sink, state, attempts, next_attempt_at, note, created_at, updated_at,
                                lease_until, claimed_by)
            SELECT e::uuid, s, 'pending', 0, n::timestamptz, NULL, ?, ?, l::timestamptz, c
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS b(e, s, n, l, c)
            RETURNING id, event_id, sink""";
    private static final String DUE_CONDITION =
            "state = 'pending' AND sink = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)";
    private static final String FREE_CONDITION =
            "state = 'pending' AND sink = ? AND (lease_until IS NULL OR lease_until < ?)";
    private static final String CLAIM_SKIP_LOCKED = """
            UPDATE outbox SET lease_until = ?, claimed_by = ?
            WHERE id IN (SELECT id FROM outbox WHERE %s ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
            RETURNING id""";
    private static final String CANDIDATES = "SELECT id FROM outbox WHERE %s ORDER BY next_attempt_at LIMIT ?";
    private static final String CLAIM_ONE = """
            UPDATE outbox SET lease_until = ?, claimed_by = ?
            WHERE id = ? AND state = 'pending' AND (lease_until IS NULL OR lease_until < ?)""";
    private static final String LOAD_CLAIMED = """
            SELECT o.id, o.event_id, o.sink, o.attempts, o.note, e.payload
            FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id
            WHERE o.claimed_by = ? AND o.id IN (%s) ORDER BY o.next_attempt_at, o.id""";
    private static final String HAS_DUE = "SELECT 1 FROM outbox WHERE " + DUE_CONDITION + " LIMIT 1";

    private final DataSource dataSource;
    private final Clock clock;
    private final PostgresBulk.Detector database = new PostgresBulk.Detector();
    private volatile ClaimHandoff handoff;

    public OutboxStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** Where new deliveries are handed over once committed; none: every delivery waits for a poll. */
    public void handOffTo(ClaimHandoff handoff) {
        this.handoff = handoff;
    }

    /**
     * Adds one pending delivery per event and sink that wants it, inside the caller's transaction.
     * Deliveries due now are written claimed by this instance as far as the dispatcher has room;
     * the returned action, run after the commit, hands those over with their event's stored JSON.
     */
    public Runnable enqueueAll(Connection connection, List<CanonicalEvent> events,
                               Function<CanonicalEvent, Map<String, Duration>> subscribers,
                               Function<CanonicalEvent, String> payloads) throws SQLException {
        OffsetDateTime now = now();
        ClaimHandoff claims = handoff;
        OffsetDateTime leaseUntil = claims == null ? null : now.plus(claims.lease());
        Map<String, Integer> room = new HashMap<>();
        List<Delivery> deliveries = new ArrayList<>();
        for (CanonicalEvent event : events) {
            subscribers.apply(event).forEach((sink, delay) -> {
                boolean claimed = claims != null && delay.isZero() && room.computeIfAbsent(sink, claims::room) > 0;
                if (claimed) {
                    room.merge(sink, -1, Integer::sum);
                }
                deliveries.add(new Delivery(event, sink, now.plus(delay), claimed ? leaseUntil : null,
                        claimed ? claims.claimant() : null));
            });
        }
        if (deliveries.isEmpty()) {
            return () -> { };
        }
        Map<UUID, Map<String, Long>> ids = database.isPostgres(connection)
                ? insertInOneStatement(connection, deliveries, now)
                : insertOneByOne(connection, deliveries, now);
        List<OutboxRow> handed = new ArrayList<>();
        for (Delivery delivery : deliveries) {
            if (delivery.claimedBy() != null) {
                handed.add(new OutboxRow(ids.get(delivery.event().eventId()).get(delivery.sink()),
                        delivery.event().eventId(), delivery.sink(), 0, null, payloads.apply(delivery.event())));
            }
        }
        return handed.isEmpty() ? () -> { } : () -> claims.handOff(handed, leaseUntil);
    }

    private record Delivery(CanonicalEvent event, String sink, OffsetDateTime due, OffsetDateTime leaseUntil,
                            String claimedBy) {
    }

    /** The new rows' ids by event and sink. */
    private static Map<UUID, Map<String, Long>> insertInOneStatement(Connection connection, List<Delivery> deliveries,
                                                                     OffsetDateTime now) throws SQLException {
        Map<UUID, Map<String, Long>> ids = new HashMap<>();
        try (PreparedStatement insert = connection.prepareStatement(BULK_INSERT)) {
            insert.setObject(1, now);
            insert.setObject(2, now);
            insert.setArray(3, PostgresBulk.column(connection, deliveries, d -> d.event().eventId()));
            insert.setArray(4, PostgresBulk.column(connection, deliveries, Delivery::sink));
            insert.setArray(5, PostgresBulk.column(connection, deliveries, Delivery::due));
            insert.setArray(6, PostgresBulk.column(connection, deliveries, Delivery::leaseUntil));
            insert.setArray(7, PostgresBulk.column(connection, deliveries, Delivery::claimedBy));
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    ids.computeIfAbsent(rows.getObject(2, UUID.class), e -> new HashMap<>()).put(rows.getString(3), rows.getLong(1));
                }
            }
        }
        return ids;
    }

    private static Map<UUID, Map<String, Long>> insertOneByOne(Connection connection, List<Delivery> deliveries,
                                                               OffsetDateTime now) throws SQLException {
        Map<UUID, Map<String, Long>> ids = new HashMap<>();
        try (PreparedStatement insert = connection.prepareStatement(INSERT, new String[] {"id"})) {
            for (Delivery delivery : deliveries) {
                insert.setObject(1, delivery.event().eventId());
                insert.setString(2, delivery.sink());
                insert.setObject(3, delivery.due());
                insert.setString(4, null);
                insert.setObject(5, now);
                insert.setObject(6, now);
                insert.setObject(7, delivery.leaseUntil());
                insert.setString(8, delivery.claimedBy());
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    ids.computeIfAbsent(delivery.event().eventId(), e -> new HashMap<>()).put(delivery.sink(), keys.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Adds a delivery that carries a note (an alert about another delivery), in its own transaction. */
    public void enqueueNote(UUID eventId, String sink, String note, Duration delay) {
        run(connection -> {
            OffsetDateTime now = now();
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setObject(1, eventId);
                insert.setString(2, sink);
                insert.setObject(3, now.plus(delay));
                insert.setString(4, note);
                insert.setObject(5, now);
                insert.setObject(6, now);
                insert.setObject(7, null);
                insert.setString(8, null);
                insert.executeUpdate();
            }
            return null;
        });
    }

    /** Claims up to {@code limit} due deliveries of one sink for this instance. */
    public List<OutboxRow> claimDue(String sink, int limit, Duration lease, String claimant) {
        return claim(sink, limit, lease, claimant, true);
    }

    /**
     * For digest sinks: as soon as one delivery is due, claims every free pending delivery of the
     * sink (up to {@code limit}), so they go out together.
     */
    public List<OutboxRow> claimDigest(String sink, int limit, Duration lease, String claimant) {
        boolean due = run(connection -> {
            OffsetDateTime now = now();
            try (PreparedStatement query = PostgresBulk.plannedPerRun(connection, HAS_DUE)) {
                query.setString(1, sink);
                query.setObject(2, now);
                query.setObject(3, now);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next();
                }
            }
        });
        return due ? claim(sink, limit, lease, claimant, false) : List.of();
    }

    private List<OutboxRow> claim(String sink, int limit, Duration lease, String claimant, boolean dueOnly) {
        return run(connection -> {
            OffsetDateTime now = now();
            String condition = dueOnly ? DUE_CONDITION : FREE_CONDITION;
            List<Long> ids = database.isPostgres(connection)
                    ? claimSkipLocked(connection, condition, sink, limit, now, now.plus(lease), claimant, dueOnly)
                    : claimOneByOne(connection, condition, sink, limit, now, now.plus(lease), claimant, dueOnly);
            if (ids.isEmpty()) {
                return List.of();
            }
            connection.commit();
            return load(connection, ids, claimant);
        });
    }

    private static List<Long> claimSkipLocked(Connection connection, String condition, String sink, int limit,
                                              OffsetDateTime now, OffsetDateTime leaseUntil, String claimant,
                                              boolean dueOnly) throws SQLException {
        try (PreparedStatement claim = PostgresBulk.plannedPerRun(connection, CLAIM_SKIP_LOCKED.formatted(condition))) {
            int i = 1;
            claim.setObject(i++, leaseUntil);
            claim.setString(i++, claimant);
            i = bindCondition(claim, i, sink, now, dueOnly);
            claim.setInt(i, limit);
            List<Long> ids = new ArrayList<>();
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
            return ids;
        }
    }

    private static List<Long> claimOneByOne(Connection connection, String condition, String sink, int limit,
                                            OffsetDateTime now, OffsetDateTime leaseUntil, String claimant,
                                            boolean dueOnly) throws SQLException {
        List<Long> candidates = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(CANDIDATES.formatted(condition))) {
            int i = bindCondition(query, 1, sink, now, dueOnly);
            query.setInt(i, limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    candidates.add(rows.getLong(1));
                }
            }
        }
        List<Long> claimed = new ArrayList<>();
        try (PreparedStatement claim = connection.prepareStatement(CLAIM_ONE)) {
            for (long id : candidates) {
                claim.setObject(1, leaseUntil);
                claim.setString(2, claimant);
                claim.setLong(3, id);
                claim.setObject(4, now);
                if (claim.executeUpdate() == 1) {
                    claimed.add(id);
                }
            }
        }
        return claimed;
    }

    private static int bindCondition(PreparedStatement statement, int index, String sink, OffsetDateTime now,
                                     boolean dueOnly) throws SQLException {
        int i = index;
        statement.setString(i++, sink);
        statement.setObject(i++, now);
        if (dueOnly) {
            statement.setObject(i++, now);
        }
        return i;
    }

    private static List<OutboxRow> load(Connection connection, List<Long> ids, String claimant) throws SQLException {
        String placeholders = String.join(",", Collections.nCopies(ids.size(), "?"));
        try (PreparedStatement query = PostgresBulk.plannedPerRun(connection, LOAD_CLAIMED.formatted(placeholders))) {
            query.setString(1, claimant);
            for (int i = 0; i < ids.size(); i++) {
                query.setLong(i + 2, ids.get(i));
            }
            List<OutboxRow> rows = new ArrayList<>();
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    rows.add(new OutboxRow(result.getLong(1), result.getObject(2, UUID.class), result.getString(3),
                            result.getInt(4), result.getString(5), result.getString(6)));
                }
            }
            return rows;
        }
    }

    public void markDelivered(List<Long> ids) {
        settle(ids, "state = 'delivered', attempts = attempts + 1, lease_until = NULL, last_error = NULL, updated_at = ?",
                null, false, null);
    }

    public void reschedule(List<Long> ids, Duration delay, String error) {
        settle(ids, "attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, claimed_by = NULL,"
                + " last_error = ?, updated_at = ?", delay, true, error);
    }

    public void markDead(List<Long> ids, String error) {
        settle(ids, "state = 'dead', attempts = attempts + 1, lease_until = NULL, last_error = ?, updated_at = ?",
                null, true, error);
    }

    /**
     * Applies {@code assignments} to the rows: on PostgreSQL in one statement, elsewhere one per row.
     * Their parameters are, in order: next_attempt_at (when {@code delay} is given), last_error (when
     * {@code withError}), updated_at.
     */
    private void settle(List<Long> ids, String assignments, Duration delay, boolean withError, String error) {
        if (ids.isEmpty()) {
            return;
        }
        run(connection -> {
            OffsetDateTime now = now();
            boolean bulk = database.isPostgres(connection);
            String sql = "UPDATE outbox SET " + assignments + (bulk ? " WHERE id = ANY (?)" : " WHERE id = ?");
            try (PreparedStatement update = PostgresBulk.plannedPerRun(connection, sql)) {
                for (int row = 0; row < (bulk ? 1 : ids.size()); row++) {
                    int i = 1;
                    if (delay != null) {
                        update.setObject(i++, now.plus(delay));
                    }
                    if (withError) {
                        update.setString(i++, error);
                    }
                    update.setObject(i++, now);
                    if (bulk) {
                        update.setArray(i, connection.createArrayOf("bigint", ids.toArray(Long[]::new)));
                    } else {
                        update.setLong(i, ids.get(row));
                    }
                    update.addBatch();
                }
                update.executeBatch();
            }
            return null;
        });
    }

    /** Gives back this instance's claims (at shutdown) so another instance need not wait for the lease. */
    public int release(String claimant) {
        return run(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE outbox SET lease_until = NULL, claimed_by = NULL WHERE state = 'pending' AND claimed_by = ?")) {
                update.setString(1, claimant);
                return update.executeUpdate();
            }
        });
    }

    /** Dead or pending deliveries, newest first. */
    public List<OutboxEntry> list(String state, int limit) {
        return run(connection -> {
            try (PreparedStatement query = connection.prepareStatement("""
                    SELECT o.id, o.sink, o.state, o.event_id, e.provider, e.message_id, e.status, o.attempts,
                           o.last_error, o.note, o.next_attempt_at, o.created_at, o.updated_at
                    FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id
                    WHERE o.state = ? ORDER BY o.updated_at DESC, o.id DESC LIMIT ?""")) {
                query.setString(1, state);
                query.setInt(2, limit);
                List<OutboxEntry> entries = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        entries.add(new OutboxEntry(rows.getLong(1), rows.getString(2), rows.getString(3),
                                rows.getObject(4, UUID.class), rows.getString(5), rows.getString(6), rows.getString(7),
                                rows.getInt(8), rows.getString(9), rows.getString(10),
                                rows.getObject(11, OffsetDateTime.class), rows.getObject(12, OffsetDateTime.class),
                                rows.getObject(13, OffsetDateTime.class)));
                    }
                }
                return entries;
            }
        });
    }

    /** Puts a dead delivery back in the queue with a fresh set of attempts; false if it is not dead. */
    public boolean replay(long id) {
        return run(connection -> {
            OffsetDateTime now = now();
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL,
                                      claimed_by = NULL, updated_at = ?
                    WHERE id = ? AND state = 'dead'""")) {
                update.setObject(1, now);
                update.setObject(2, now);
                update.setLong(3, id);
                return update.executeUpdate() == 1;
            }
        });
    }

    /** Pending deliveries per sink, for metrics and tests. */
    public Map<String, Long> countByState(String state) {
        return run(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT sink, COUNT(*) FROM outbox WHERE state = ? GROUP BY sink")) {
                query.setString(1, state);
                Map<String, Long> counts = new java.util.TreeMap<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        counts.put(rows.getString(1), rows.getLong(2));
                    }
                }
                return counts;
            }
        });
    }

    private <T> T run(SqlWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("Outbox: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }
}
