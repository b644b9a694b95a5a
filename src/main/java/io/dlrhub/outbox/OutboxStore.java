package io.dlrhub.outbox;

import io.dlrhub.event.CanonicalEvent;
import io.dlrhub.store.PostgresBulk;
import io.dlrhub.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox table. Rows are claimed with a lease: on PostgreSQL with {@code FOR UPDATE SKIP LOCKED},
 * so any number of instances share one database without two of them taking the same row; on H2
 * (one embedded instance) with a conditional update. A claim that is never settled (the process
 * died) expires with its lease and the row is claimed again.
 * <p>
 * Leases and due times are counted by the database's clock ({@code CURRENT_TIMESTAMP}), never by
 * a JVM's: instances whose clocks disagree still agree on when a lease ends. Every claim adds one
 * to the row's {@code claim_version}; recording an outcome, renewing a lease or giving a claim back
 * is <em>fenced</em>: it applies only while the row is still pending, claimed by the caller and at
 * the version of the caller's claim. An instance whose lease ran out and whose row was taken over
 * therefore changes nothing; the methods return the rows they did change.
 */
public class OutboxStore {

    public static final String PENDING = "pending";
    static final String DELIVERED = "delivered";
    public static final String DEAD = "dead";

    private static final Logger LOG = LoggerFactory.getLogger(OutboxStore.class);
    /** The database's now plus {@code ?} milliseconds (NULL stays NULL); valid on PostgreSQL and on H2. */
    private static final String DB_NOW_PLUS_MS = "CURRENT_TIMESTAMP + CAST(? AS BIGINT) * INTERVAL '0.001' SECOND";

    private static final String INSERT = """
            INSERT INTO outbox (event_id, sink, state, attempts, next_attempt_at, note, created_at, updated_at,
                                lease_until, claimed_by)
            VALUES (?, ?, 'pending', 0, %1$s, ?, ?, ?, %1$s, ?)""".formatted(DB_NOW_PLUS_MS);
    private static final String BULK_INSERT = """
            INSERT INTO outbox (event_id, sink, state, attempts, next_attempt_at, note, created_at, updated_at,
                                lease_until, claimed_by)
            SELECT e::uuid, s, 'pending', 0, CURRENT_TIMESTAMP + d::bigint * INTERVAL '0.001' SECOND, NULL, ?, ?,
                   CURRENT_TIMESTAMP + l::bigint * INTERVAL '0.001' SECOND, c
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS b(e, s, d, l, c)
            RETURNING id, event_id, sink""";
    private static final String FREE = "state = 'pending' AND (lease_until IS NULL OR lease_until < CURRENT_TIMESTAMP)";
    private static final String DUE_CONDITION = FREE + " AND sink = ? AND next_attempt_at <= CURRENT_TIMESTAMP";
    private static final String FREE_CONDITION = FREE + " AND sink = ?";
    private static final String CLAIM_SKIP_LOCKED = """
            UPDATE outbox SET lease_until = %s, claimed_by = ?, claim_version = claim_version + 1
            WHERE id IN (SELECT id FROM outbox WHERE %%s ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
            RETURNING id""".formatted(DB_NOW_PLUS_MS);
    private static final String CANDIDATES = "SELECT id FROM outbox WHERE %s ORDER BY next_attempt_at LIMIT ?";
    private static final String CLAIM_ONE = """
            UPDATE outbox SET lease_until = %s, claimed_by = ?, claim_version = claim_version + 1
            WHERE id = ? AND %s""".formatted(DB_NOW_PLUS_MS, FREE);
    // LEFT JOIN: a row whose event is gone is found too, and settled as dead instead of claimed for ever
    private static final String LOAD_CLAIMED = """
            SELECT o.id, o.event_id, o.sink, o.attempts, o.note, e.payload, o.claim_version, e.received_at
            FROM outbox o LEFT JOIN delivery_event e ON e.event_id = o.event_id
            WHERE o.claimed_by = ? AND o.id IN (%s) ORDER BY o.next_attempt_at, o.id""";
    private static final String HAS_DUE = "SELECT 1 FROM outbox WHERE " + DUE_CONDITION + " LIMIT 1";
    /**
     * A delivery going dead takes its event's received_at along: the search lists dead deliveries
     * in their events' order off ix_outbox_dead_received (migration V7) without looking every
     * event up. Only here, not at insert: most deliveries never die.
     */
    private static final String DEAD_IN_EVENT_ORDER =
            "event_received_at = (SELECT e.received_at FROM delivery_event e WHERE e.event_id = o.event_id)";

    /** Appended to a settle: the row is still this claim's (see the class comment). */
    private static final String FENCE_ONE =
            " WHERE id = ? AND claim_version = ? AND claimed_by = ? AND state = 'pending'";

    private static final String FENCE_BULK = " FROM unnest(?::bigint[], ?::bigint[]) AS c(id, claim)"
            + " WHERE o.id = c.id AND o.claim_version = c.claim AND o.claimed_by = ? AND o.state = 'pending' RETURNING o.id";

    /** Outcomes of a delivery_attempt row (see V5). */
    static final String ATTEMPT_DELIVERED = "delivered";

    static final String ATTEMPT_RETRY = "retry";
    static final String ATTEMPT_DEAD = "dead";
    static final String ATTEMPT_RELEASED = "released";
    static final String RELEASED_AT_STOP = "given back unsent: the instance that claimed it stopped";
    private static final String INSERT_ATTEMPT = """
            INSERT INTO delivery_attempt (outbox_id, event_id, sink, attempt, started_at, duration_ms, outcome,
                                          http_status, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    /**
     * PostgreSQL: a settle and its attempt rows in one statement (no round trip more than the
     * settle alone): the fenced UPDATE is a CTE, and only the rows it changed get an attempt.
     */
    private static final String SETTLE_AND_RECORD = """
            WITH settled AS (%s),
            recorded AS (
                INSERT INTO delivery_attempt (outbox_id, event_id, sink, attempt, started_at, duration_ms, outcome,
                                              http_status, detail)
                SELECT a.o::bigint, a.e::uuid, a.s, a.n::int, a.t::timestamptz, a.d::int, ?, a.h::int, a.x
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS a(o, e, s, n, t, d, h, x)
                WHERE a.o::bigint IN (SELECT id FROM settled))
            SELECT id FROM settled""";

    private final DataSource dataSource;
    private final Clock clock;
    private final PostgresBulk.Detector database = new PostgresBulk.Detector();
    private volatile ClaimHandoff handoff;

    public OutboxStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** For created_at and updated_at only (shown to operators); leases and due times use the database's clock. */
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
    public Runnable enqueueAll(
            Connection connection,
            List<CanonicalEvent> events,
            Function<CanonicalEvent, Map<String, Duration>> subscribers,
            Function<CanonicalEvent, String> payloads)
            throws SQLException {
        OffsetDateTime now = now();
        ClaimHandoff claims = handoff;
        long claimedAt = System.nanoTime();
        Long leaseMs = claims == null ? null : claims.lease().toMillis();
        Map<String, Integer> room = new HashMap<>();
        List<Delivery> deliveries = new ArrayList<>();
        for (CanonicalEvent event : events) {
            subscribers.apply(event).forEach((sink, delay) -> {
                boolean claimed = claims != null && delay.isZero() && room.computeIfAbsent(sink, claims::room) > 0;
                if (claimed) {
                    room.merge(sink, -1, Integer::sum);
                }
                deliveries.add(new Delivery(
                        event, sink, delay.toMillis(), claimed ? leaseMs : null, claimed ? claims.claimant() : null));
            });
        }
        if (deliveries.isEmpty()) {
            return () -> {};
        }
        Map<UUID, Map<String, Long>> ids = database.isPostgres(connection)
                ? insertInOneStatement(connection, deliveries, now)
                : insertOneByOne(connection, deliveries, now);
        List<OutboxRow> handed = new ArrayList<>();
        for (Delivery delivery : deliveries) {
            if (delivery.claimedBy() != null) {
                // claim_version 0: written claimed, never claimed by a poll yet
                handed.add(new OutboxRow(
                        ids.get(delivery.event().eventId()).get(delivery.sink()),
                        delivery.event().eventId(),
                        delivery.sink(),
                        0,
                        null,
                        payloads.apply(delivery.event()),
                        0,
                        delivery.event().receivedAt()));
            }
        }
        return handed.isEmpty() ? () -> {} : () -> claims.handOff(handed, claimedAt);
    }

    private record Delivery(CanonicalEvent event, String sink, long delayMs, Long leaseMs, String claimedBy) {}

    /** The new rows' ids by event and sink. */
    private static Map<UUID, Map<String, Long>> insertInOneStatement(
            Connection connection, List<Delivery> deliveries, OffsetDateTime now) throws SQLException {
        Map<UUID, Map<String, Long>> ids = new HashMap<>();
        try (PreparedStatement insert = connection.prepareStatement(BULK_INSERT)) {
            insert.setObject(1, now);
            insert.setObject(2, now);
            insert.setObject(3, PostgresBulk.texts(deliveries, d -> d.event().eventId()));
            insert.setObject(4, PostgresBulk.texts(deliveries, Delivery::sink));
            insert.setObject(5, PostgresBulk.texts(deliveries, Delivery::delayMs));
            insert.setObject(6, PostgresBulk.texts(deliveries, Delivery::leaseMs));
            insert.setObject(7, PostgresBulk.texts(deliveries, Delivery::claimedBy));
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    ids.computeIfAbsent(rows.getObject(2, UUID.class), e -> new HashMap<>())
                            .put(rows.getString(3), rows.getLong(1));
                }
            }
        }
        return ids;
    }

    private static Map<UUID, Map<String, Long>> insertOneByOne(
            Connection connection, List<Delivery> deliveries, OffsetDateTime now) throws SQLException {
        Map<UUID, Map<String, Long>> ids = new HashMap<>();
        try (PreparedStatement insert = connection.prepareStatement(INSERT, new String[] {"id"})) {
            for (Delivery delivery : deliveries) {
                bindInsert(
                        insert,
                        delivery.event().eventId(),
                        delivery.sink(),
                        delivery.delayMs(),
                        null,
                        now,
                        delivery.leaseMs(),
                        delivery.claimedBy());
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    ids.computeIfAbsent(delivery.event().eventId(), e -> new HashMap<>())
                            .put(delivery.sink(), keys.getLong(1));
                }
            }
        }
        return ids;
    }

    private static void bindInsert(
            PreparedStatement insert,
            UUID eventId,
            String sink,
            long delayMs,
            String note,
            OffsetDateTime now,
            Long leaseMs,
            String claimedBy)
            throws SQLException {
        insert.setObject(1, eventId);
        insert.setString(2, sink);
        insert.setLong(3, delayMs);
        insert.setString(4, note);
        insert.setObject(5, now);
        insert.setObject(6, now);
        if (leaseMs == null) {
            insert.setNull(7, Types.BIGINT);
        } else {
            insert.setLong(7, leaseMs);
        }
        insert.setString(8, claimedBy);
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
            try (PreparedStatement query = PostgresBulk.plannedPerRun(connection, HAS_DUE)) {
                query.setString(1, sink);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next();
                }
            }
        });
        return due ? claim(sink, limit, lease, claimant, false) : List.of();
    }

    private List<OutboxRow> claim(String sink, int limit, Duration lease, String claimant, boolean dueOnly) {
        return run(connection -> {
            String condition = dueOnly ? DUE_CONDITION : FREE_CONDITION;
            List<Long> ids = database.isPostgres(connection)
                    ? claimSkipLocked(connection, condition, sink, limit, lease, claimant)
                    : claimOneByOne(connection, condition, sink, limit, lease, claimant);
            if (ids.isEmpty()) {
                return List.of();
            }
            // read in the claim's own transaction: the versions read are the ones this claim wrote
            List<OutboxRow> rows = new ArrayList<>();
            List<OutboxRow> orphans = new ArrayList<>();
            for (OutboxRow row : load(connection, ids, claimant)) {
                (row.payload() == null ? orphans : rows).add(row);
            }
            if (!orphans.isEmpty()) {
                settleOrphans(connection, orphans, claimant);
            }
            return rows;
        });
    }

    /**
     * A delivery whose event is gone (deleted by hand: the outbox has no foreign key) can never be
     * sent; claimed again every lease it would never end, so it is dead at once.
     */
    private void settleOrphans(Connection connection, List<OutboxRow> orphans, String claimant) throws SQLException {
        List<OutboxRow> dead = fenced(
                connection,
                orphans,
                claimant,
                null,
                "state = 'dead', lease_until = NULL, last_error = ?, updated_at = ?",
                "its event is not stored",
                now());
        if (!dead.isEmpty()) {
            LOG.warn(
                    "{} outbox deliveries to sink {} are dead: their event is not in delivery_event (ids {})",
                    dead.size(),
                    orphans.get(0).sink(),
                    dead.stream().limit(10).map(OutboxRow::id).toList());
        }
    }

    private static List<Long> claimSkipLocked(
            Connection connection, String condition, String sink, int limit, Duration lease, String claimant)
            throws SQLException {
        try (PreparedStatement claim = PostgresBulk.plannedPerRun(connection, CLAIM_SKIP_LOCKED.formatted(condition))) {
            claim.setLong(1, lease.toMillis());
            claim.setString(2, claimant);
            claim.setString(3, sink);
            claim.setInt(4, limit);
            List<Long> ids = new ArrayList<>();
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
            return ids;
        }
    }

    private static List<Long> claimOneByOne(
            Connection connection, String condition, String sink, int limit, Duration lease, String claimant)
            throws SQLException {
        List<Long> candidates = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(CANDIDATES.formatted(condition))) {
            query.setString(1, sink);
            query.setInt(2, limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    candidates.add(rows.getLong(1));
                }
            }
        }
        List<Long> claimed = new ArrayList<>();
        try (PreparedStatement claim = connection.prepareStatement(CLAIM_ONE)) {
            for (long id : candidates) {
                claim.setLong(1, lease.toMillis());
                claim.setString(2, claimant);
                claim.setLong(3, id);
                if (claim.executeUpdate() == 1) {
                    claimed.add(id);
                }
            }
        }
        return claimed;
    }

    /** The claimed rows; a row whose event is gone comes with a null payload. */
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
                    rows.add(new OutboxRow(
                            result.getLong(1),
                            result.getObject(2, UUID.class),
                            result.getString(3),
                            result.getInt(4),
                            result.getString(5),
                            result.getString(6),
                            result.getLong(7),
                            result.getObject(8, OffsetDateTime.class)));
                }
            }
            return rows;
        }
    }

    /**
     * What to write to delivery_attempt along with a settle: the outcome, and each row's attempt
     * (null: none for that row). Written only for the rows the settle changed, in its transaction.
     */
    private record Recording(String outcome, Function<OutboxRow, Attempt> attempts) {}

    private static Recording recording(String outcome, Function<OutboxRow, Attempt> attempts) {
        return attempts == null ? null : new Recording(outcome, attempts);
    }

    /** Records that the rows were delivered; returns those still this claimant's (the others were taken over). */
    public List<OutboxRow> markDelivered(List<OutboxRow> rows, String claimant) {
        return markDelivered(rows, claimant, null);
    }

    /** As {@link #markDelivered(List, String)}, with each row's attempt written to delivery_attempt in the same statement. */
    public List<OutboxRow> markDelivered(List<OutboxRow> rows, String claimant, Function<OutboxRow, Attempt> attempts) {
        return settle(
                rows,
                claimant,
                recording(ATTEMPT_DELIVERED, attempts),
                "state = 'delivered', attempts = attempts + 1, lease_until = NULL, last_error = NULL, updated_at = ?",
                now());
    }

    /** Counts an attempt and frees the rows for a retry after {@code delay} (by the database's clock). */
    public List<OutboxRow> reschedule(List<OutboxRow> rows, String claimant, Duration delay, String error) {
        return reschedule(rows, claimant, delay, error, null);
    }

    public List<OutboxRow> reschedule(
            List<OutboxRow> rows,
            String claimant,
            Duration delay,
            String error,
            Function<OutboxRow, Attempt> attempts) {
        return settle(
                rows,
                claimant,
                recording(ATTEMPT_RETRY, attempts),
                "attempts = attempts + 1, next_attempt_at = " + DB_NOW_PLUS_MS
                        + ", lease_until = NULL, claimed_by = NULL, last_error = ?, updated_at = ?",
                delay.toMillis(),
                error,
                now());
    }

    public List<OutboxRow> markDead(List<OutboxRow> rows, String claimant, String error) {
        return markDead(rows, claimant, error, null);
    }

    public List<OutboxRow> markDead(List<OutboxRow> rows, String claimant, String error, DeadAlert alert) {
        return markDead(rows, claimant, error, alert, null);
    }

    /**
     * A note for the alert sink about each delivery made dead: which sink gets it, after what
     * digest delay, and its text.
     */
    public record DeadAlert(String sink, Duration delay, Function<OutboxRow, String> note) {}

    /**
     * Records the rows as dead and, in the same transaction, one note per row for the alert sink:
     * a crash between the two can no longer leave a dead delivery that nobody is told about.
     * {@code alert} null: no notes.
     */
    public List<OutboxRow> markDead(
            List<OutboxRow> rows,
            String claimant,
            String error,
            DeadAlert alert,
            Function<OutboxRow, Attempt> attempts) {
        if (rows.isEmpty()) {
            return List.of();
        }
        return run(connection -> {
            List<OutboxRow> dead = fenced(
                    connection,
                    rows,
                    claimant,
                    recording(ATTEMPT_DEAD, attempts),
                    "state = 'dead', attempts = attempts + 1, lease_until = NULL, last_error = ?, updated_at = ?, "
                            + DEAD_IN_EVENT_ORDER,
                    error,
                    now());
            List<OutboxRow> toTell = alert == null
                    ? List.of()
                    : dead.stream()
                            .filter(row -> !row.sink().equals(alert.sink()))
                            .toList();
            if (!toTell.isEmpty()) {
                try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    for (OutboxRow row : toTell) {
                        bindInsert(
                                insert,
                                row.eventId(),
                                alert.sink(),
                                alert.delay().toMillis(),
                                alert.note().apply(row),
                                now(),
                                null,
                                null);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
            return dead;
        });
    }

    /** Gives claimed rows back unsent, without counting an attempt: the next poll of any instance takes them. */
    public List<OutboxRow> giveBack(List<OutboxRow> rows, String claimant) {
        return giveBack(rows, claimant, null);
    }

    /** As {@link #giveBack(List, String)}, recording a "released" attempt per row (the attempt it would have been). */
    public List<OutboxRow> giveBack(List<OutboxRow> rows, String claimant, Function<OutboxRow, Attempt> attempts) {
        return settle(rows, claimant, recording(ATTEMPT_RELEASED, attempts), "lease_until = NULL, claimed_by = NULL");
    }

    /** Extends the lease of rows still being worked on; returns those still this claimant's. */
    public List<OutboxRow> renew(List<OutboxRow> rows, String claimant, Duration lease) {
        return settle(rows, claimant, null, "lease_until = " + DB_NOW_PLUS_MS, lease.toMillis());
    }

    private List<OutboxRow> settle(
            List<OutboxRow> rows, String claimant, Recording recording, String assignments, Object... values) {
        if (rows.isEmpty()) {
            return List.of();
        }
        return run(connection -> fenced(connection, rows, claimant, recording, assignments, values));
    }

    /**
     * Applies {@code assignments} (their parameters: {@code values}) to those of the rows that are
     * still pending, claimed by {@code claimant} at the version of its claim; returns those rows,
     * and writes their attempts when {@code recording} is given. On PostgreSQL in one statement
     * (attempts included), elsewhere one per row (the attempts in a batch of the same transaction).
     */
    private List<OutboxRow> fenced(
            Connection connection,
            List<OutboxRow> rows,
            String claimant,
            Recording recording,
            String assignments,
            Object... values)
            throws SQLException {
        boolean bulk = database.isPostgres(connection);
        String sql = bulk
                ? "UPDATE outbox o SET " + assignments + FENCE_BULK
                : "UPDATE outbox o SET " + assignments + FENCE_ONE;
        if (bulk && recording != null) {
            sql = SETTLE_AND_RECORD.formatted(sql);
        }
        Map<Long, OutboxRow> byId = new LinkedHashMap<>();
        rows.forEach(row -> byId.put(row.id(), row));
        List<OutboxRow> applied = new ArrayList<>();
        try (PreparedStatement update = PostgresBulk.plannedPerRun(connection, sql)) {
            if (bulk) {
                int i = bind(update, values);
                // Long[]: pgjdbc sends an int8[] in binary, not as a text literal for the server to parse
                update.setObject(i++, rows.stream().map(OutboxRow::id).toArray(Long[]::new));
                update.setObject(i++, rows.stream().map(OutboxRow::claim).toArray(Long[]::new));
                update.setString(i++, claimant);
                if (recording != null) {
                    bindAttempts(update, i, rows, recording);
                }
                try (ResultSet changed = update.executeQuery()) {
                    while (changed.next()) {
                        applied.add(byId.get(changed.getLong(1)));
                    }
                }
                return applied;
            }
            for (OutboxRow row : rows) {
                int i = bind(update, values);
                update.setLong(i++, row.id());
                update.setLong(i++, row.claim());
                update.setString(i, claimant);
                update.addBatch();
            }
            int[] counts = update.executeBatch();
            for (int r = 0; r < rows.size(); r++) {
                if (counts[r] > 0) {
                    applied.add(rows.get(r));
                }
            }
        }
        if (recording != null) {
            insertAttempts(connection, applied, recording);
        }
        return applied;
    }

    /** The attempt number a settle records: the one the row is at after it (a give-back: the one it would have been). */
    private static int attemptNumber(OutboxRow row) {
        return row.attempts() + 1;
    }

    /** SETTLE_AND_RECORD's outcome and attempt columns, from parameter {@code first} on. */
    private static void bindAttempts(PreparedStatement statement, int first, List<OutboxRow> rows, Recording recording)
            throws SQLException {
        List<OutboxRow> recorded = new ArrayList<>();
        List<Attempt> attempts = new ArrayList<>();
        for (OutboxRow row : rows) {
            Attempt attempt = recording.attempts().apply(row);
            if (attempt != null) {
                recorded.add(row);
                attempts.add(attempt);
            }
        }
        int i = first;
        statement.setString(i++, recording.outcome());
        statement.setObject(i++, PostgresBulk.texts(recorded, OutboxRow::id));
        statement.setObject(i++, PostgresBulk.texts(recorded, OutboxRow::eventId));
        statement.setObject(i++, PostgresBulk.texts(recorded, OutboxRow::sink));
        statement.setObject(i++, PostgresBulk.texts(recorded, OutboxStore::attemptNumber));
        statement.setObject(i++, PostgresBulk.texts(attempts, Attempt::startedAt));
        statement.setObject(i++, PostgresBulk.texts(attempts, Attempt::durationMs));
        statement.setObject(i++, PostgresBulk.texts(attempts, Attempt::httpStatus));
        statement.setObject(i, PostgresBulk.texts(attempts, Attempt::detail));
    }

    /** H2: the attempts of the rows a settle changed, one batch in its transaction (an embedded database: no round trip). */
    private static void insertAttempts(Connection connection, List<OutboxRow> applied, Recording recording)
            throws SQLException {
        if (applied.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_ATTEMPT)) {
            int batched = 0;
            for (OutboxRow row : applied) {
                Attempt attempt = recording.attempts().apply(row);
                if (attempt == null) {
                    continue;
                }
                insert.setLong(1, row.id());
                insert.setObject(2, row.eventId());
                insert.setString(3, row.sink());
                insert.setInt(4, attemptNumber(row));
                insert.setObject(5, attempt.startedAt());
                insert.setInt(6, attempt.durationMs());
                insert.setString(7, recording.outcome());
                if (attempt.httpStatus() == null) {
                    insert.setNull(8, Types.INTEGER);
                } else {
                    insert.setInt(8, attempt.httpStatus());
                }
                insert.setString(9, attempt.detail());
                insert.addBatch();
                batched++;
            }
            if (batched > 0) {
                insert.executeBatch();
            }
        }
    }

    private static int bind(PreparedStatement statement, Object... values) throws SQLException {
        int i = 1;
        for (Object value : values) {
            if (value instanceof Long number) {
                statement.setLong(i++, number);
            } else if (value instanceof String text) {
                statement.setString(i++, text);
            } else {
                statement.setObject(i++, value);
            }
        }
        return i;
    }

    /** Gives back this instance's claims (at shutdown) so another instance need not wait for the lease. */
    public int release(String claimant) {
        return run(connection -> {
            // each gets a "released" attempt (the one it would have been), in the same transaction
            try (PreparedStatement record = connection.prepareStatement("""
                    INSERT INTO delivery_attempt (outbox_id, event_id, sink, attempt, started_at, duration_ms, outcome,
                                                  http_status, detail)
                    SELECT id, event_id, sink, attempts + 1, ?, 0, 'released', NULL, ?
                    FROM outbox WHERE state = 'pending' AND claimed_by = ?""")) {
                record.setObject(1, now());
                record.setString(2, RELEASED_AT_STOP);
                record.setString(3, claimant);
                record.executeUpdate();
            }
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
                        entries.add(new OutboxEntry(
                                rows.getLong(1),
                                rows.getString(2),
                                rows.getString(3),
                                rows.getObject(4, UUID.class),
                                rows.getString(5),
                                rows.getString(6),
                                rows.getString(7),
                                rows.getInt(8),
                                rows.getString(9),
                                rows.getString(10),
                                rows.getObject(11, OffsetDateTime.class),
                                rows.getObject(12, OffsetDateTime.class),
                                rows.getObject(13, OffsetDateTime.class)));
                    }
                }
                return entries;
            }
        });
    }

    /** Puts a dead delivery back in the queue with a fresh set of attempts; false if it is not dead. */
    public boolean replay(long id) {
        return run(connection -> replayDead(connection, List.of(id), now()).size() == 1);
    }

    /**
     * Puts those of the deliveries that are dead back in the queue with a fresh set of attempts,
     * inside the caller's transaction; returns the ones it put back. A delivery no longer dead
     * (replayed by someone else meanwhile) is left alone: a replay never sends a delivery twice.
     */
    static List<Long> replayDead(Connection connection, List<Long> ids, OffsetDateTime now) throws SQLException {
        List<Long> replayed = new ArrayList<>();
        if (ids.isEmpty()) {
            return replayed;
        }
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = CURRENT_TIMESTAMP,
                                  lease_until = NULL, claimed_by = NULL, updated_at = ?
                WHERE id = ? AND state = 'dead'""")) {
            for (long id : ids) {
                update.setObject(1, now);
                update.setLong(2, id);
                update.addBatch();
            }
            int[] counts = update.executeBatch();
            for (int i = 0; i < ids.size(); i++) {
                if (counts[i] > 0) {
                    replayed.add(ids.get(i));
                }
            }
        }
        return replayed;
    }

    /**
     * Adds one pending delivery per event to {@code sink}, due now and claimed by nobody (the next
     * poll of any instance takes them), inside the caller's transaction. For backfills.
     */
    static void enqueue(Connection connection, List<UUID> eventIds, String sink, OffsetDateTime now)
            throws SQLException {
        if (eventIds.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (UUID eventId : eventIds) {
                bindInsert(insert, eventId, sink, 0, null, now, null, null);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** A sink's pending deliveries: how many, and when the oldest of them was created (null: none). */
    public record Backlog(long pending, OffsetDateTime oldestCreatedAt) {}

    /**
     * Pending deliveries per sink with the oldest one's creation, for the metrics: one query over
     * the pending rows only (ix_outbox_state_due, state first), never over the delivered ones.
     */
    public Map<String, Backlog> backlog() {
        return run(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT sink, COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending' GROUP BY sink")) {
                Map<String, Backlog> backlog = new java.util.TreeMap<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        backlog.put(
                                rows.getString(1),
                                new Backlog(rows.getLong(2), rows.getObject(3, OffsetDateTime.class)));
                    }
                }
                return backlog;
            }
        });
    }

    /** Pending deliveries per sink, for metrics and tests. */
    public Map<String, Long> countByState(String state) {
        return run(connection -> {
            try (PreparedStatement query =
                    connection.prepareStatement("SELECT sink, COUNT(*) FROM outbox WHERE state = ? GROUP BY sink")) {
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

    private <T> T run(Transactions.Work<T> work) {
        return Transactions.run(dataSource, "Outbox", work);
    }
}
