package io.dlrhub.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dlrhub.store.EventSearch;
import io.dlrhub.store.PostgresBulk;
import io.dlrhub.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Bulk replays and backfills (table bulk_job), worked a step at a time by {@link BulkJobRoutes}
 * on every instance.
 * <p>
 * <b>No delivery twice.</b> A step locks its job's row, so instances sharing the database take
 * turns; it moves the job's cursor forward in the same transaction as the deliveries it replayed
 * or added, so a step's work is recorded exactly when it is done. A replay walks the dead
 * deliveries in id order up to the highest outbox id at its creation: one it replayed that dies
 * again is behind the cursor and is not replayed a second time; one replayed by someone else
 * meanwhile is no longer dead and is skipped. A backfill walks the events in (received_at,
 * event_id) order and skips those that already have a delivery to the sink.
 * <p>
 * <b>Throttle.</b> A job may put back or add {@code rate_per_second} deliveries per second of the
 * database's clock, with at most one second's worth at once (a job that waited, e.g. while every
 * instance was down, does not burst): {@code throttle_at} is the time up to which its allowance
 * is spent, and moves on by 1/rate per delivery. Whatever the instances and their clocks, a job
 * has done at most {@code rate x (now - created_at + 1 s)}.
 */
public class BulkJobs {

    public static final String REPLAY = "replay";
    public static final String BACKFILL = "backfill";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String CANCELLED = "cancelled";
    /** Deliveries handled per step (one transaction) at most. */
    static final int BATCH = 100;

    private static final Duration BURST = Duration.ofSeconds(1);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final String COLUMNS = "id, kind, state, matched, replayed, skipped, requested_by, cancelled_by,"
            + " rate_per_second, request, created_at, updated_at, finished_at";

    private final DataSource dataSource;
    private final PostgresBulk.Detector database = new PostgresBulk.Detector();

    public BulkJobs(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records a replay job; with nothing to replay it is done at once. */
    public BulkJob createReplay(BulkRequests.Replay request, String requestedBy, int ratePerSecond) {
        return run(connection -> {
            long bound;
            try (PreparedStatement query = connection.prepareStatement("SELECT MAX(id) FROM outbox");
                    ResultSet row = query.executeQuery()) {
                row.next();
                bound = row.getLong(1);
            }
            long matched;
            ReplaySelection selection = ReplaySelection.of(request);
            try (PreparedStatement count = PostgresBulk.plannedPerRun(
                    connection,
                    "SELECT COUNT(*) FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id WHERE "
                            + selection.sql())) {
                selection.bind(count, 1, 0, bound);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    matched = row.getLong(1);
                }
            }
            return insert(connection, REPLAY, requestedBy, BulkRequests.write(request), ratePerSecond, matched, bound);
        });
    }

    /** Records a backfill job; with no event in the range it is done at once. */
    public BulkJob createBackfill(BulkRequests.Backfill request, String requestedBy, int ratePerSecond) {
        return run(connection -> {
            BackfillSelection selection = BackfillSelection.of(request, null);
            long matched;
            try (PreparedStatement count = PostgresBulk.plannedPerRun(
                    connection, "SELECT COUNT(*) FROM delivery_event e WHERE " + selection.sql())) {
                selection.bind(count, 1);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    matched = row.getLong(1);
                }
            }
            return insert(connection, BACKFILL, requestedBy, BulkRequests.write(request), ratePerSecond, matched, null);
        });
    }

    private BulkJob insert(
            Connection connection, String kind, String requestedBy, String request, int rate, long matched, Long bound)
            throws SQLException {
        OffsetDateTime now = databaseNow(connection);
        boolean nothingToDo = matched == 0;
        long id;
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO bulk_job (kind, state, requested_by, request, rate_per_second, matched, replayed, skipped,
                                      bound_id, cursor_id, throttle_at, created_at, updated_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, 0, ?, ?, ?, ?)""", new String[] {"id"})) {
            insert.setString(1, kind);
            insert.setString(2, nothingToDo ? DONE : RUNNING);
            insert.setString(3, requestedBy);
            insert.setString(4, request);
            insert.setInt(5, rate);
            insert.setLong(6, matched);
            if (bound == null) {
                insert.setNull(7, Types.BIGINT);
            } else {
                insert.setLong(7, bound);
            }
            // one second's worth may go at once
            insert.setObject(8, now.minus(BURST));
            insert.setObject(9, now);
            insert.setObject(10, now);
            insert.setObject(11, nothingToDo ? now : null);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        return find(connection, kind, id).orElseThrow();
    }

    public Optional<BulkJob> find(String kind, long id) {
        return run(connection -> find(connection, kind, id));
    }

    private static Optional<BulkJob> find(Connection connection, String kind, long id) throws SQLException {
        try (PreparedStatement query =
                connection.prepareStatement("SELECT " + COLUMNS + " FROM bulk_job WHERE id = ? AND kind = ?")) {
            query.setLong(1, id);
            query.setString(2, kind);
            List<BulkJob> jobs = read(query);
            return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
        }
    }

    /** The jobs of one kind, newest first. */
    public List<BulkJob> list(String kind, int limit) {
        return run(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT " + COLUMNS + " FROM bulk_job WHERE kind = ? ORDER BY id DESC LIMIT ?")) {
                query.setString(1, kind);
                query.setInt(2, limit);
                return read(query);
            }
        });
    }

    private static List<BulkJob> read(PreparedStatement query) throws SQLException {
        List<BulkJob> jobs = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                try {
                    jobs.add(new BulkJob(
                            rows.getLong(1),
                            rows.getString(2),
                            rows.getString(3),
                            rows.getLong(4),
                            rows.getLong(5),
                            rows.getLong(6),
                            rows.getString(7),
                            rows.getString(8),
                            rows.getInt(9),
                            BulkRequests.JSON.readTree(rows.getString(10)),
                            utc(rows.getObject(11, OffsetDateTime.class)),
                            utc(rows.getObject(12, OffsetDateTime.class)),
                            utc(rows.getObject(13, OffsetDateTime.class))));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(
                            "bulk_job " + rows.getLong(1) + " has a request that is not JSON", e);
                }
            }
        }
        return jobs;
    }

    private static OffsetDateTime utc(OffsetDateTime time) {
        return time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC);
    }

    public enum CancelOutcome {
        CANCELLED,
        NOT_FOUND,
        NOT_RUNNING
    }

    public record Cancel(CancelOutcome outcome, BulkJob job) {}

    /**
     * Stops a running job. It waits for a step in progress (the step holds the job's row), so
     * once this returns the job does nothing more: its counters are final.
     */
    public Cancel cancel(String kind, long id, String cancelledBy) {
        return run(connection -> {
            int changed;
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE bulk_job SET state = 'cancelled', cancelled_by = ?, updated_at = CURRENT_TIMESTAMP,
                                        finished_at = CURRENT_TIMESTAMP
                    WHERE id = ? AND kind = ? AND state = 'running'""")) {
                update.setString(1, cancelledBy);
                update.setLong(2, id);
                update.setString(3, kind);
                changed = update.executeUpdate();
            }
            Optional<BulkJob> job = find(connection, kind, id);
            if (job.isEmpty()) {
                return new Cancel(CancelOutcome.NOT_FOUND, null);
            }
            return new Cancel(changed == 1 ? CancelOutcome.CANCELLED : CancelOutcome.NOT_RUNNING, job.get());
        });
    }

    /** The ids of the running jobs, oldest first. */
    public List<Long> running() {
        return run(connection -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement query =
                            connection.prepareStatement("SELECT id FROM bulk_job WHERE state = 'running' ORDER BY id");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
            return ids;
        });
    }

    /**
     * One step of a running job: as many deliveries as its allowance and {@link #BATCH} permit.
     *
     * @return true when it handled a whole batch and may go on at once; false when it is throttled,
     *         finished, not running, or being stepped by another instance
     */
    public boolean step(long id) {
        return run(connection -> {
            Job job = lock(connection, id);
            if (job == null || !RUNNING.equals(job.state())) {
                return false;
            }
            Budget budget = Budget.of(job, BATCH);
            if (budget.available() == 0) {
                return false;
            }
            Progress progress = REPLAY.equals(job.kind())
                    ? replayStep(connection, job, budget.available())
                    : backfillStep(connection, job, budget.available());
            save(connection, job, progress, budget.spentUpTo(progress.done(), job.rate()));
            // a whole batch handled: more may be due at once
            return !progress.finished() && progress.done() + progress.skipped() == BATCH;
        });
    }

    /** What a step changed: deliveries done and skipped, where it got to, and whether the job is over. */
    private record Progress(
            int done, int skipped, Long cursorId, OffsetDateTime cursorAt, UUID cursorEvent, boolean finished) {}

    private record Job(
            long id,
            String kind,
            String state,
            int rate,
            String request,
            Long boundId,
            long cursorId,
            OffsetDateTime cursorAt,
            UUID cursorEvent,
            OffsetDateTime throttleAt,
            OffsetDateTime now) {}

    /** The job's row, locked for this step; null when another instance is stepping it (PostgreSQL) or it is gone. */
    private Job lock(Connection connection, long id) throws SQLException {
        String skipLocked = database.isPostgres(connection) ? " SKIP LOCKED" : "";
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT kind, state, rate_per_second, request, bound_id, cursor_id, cursor_at, cursor_event, throttle_at,
                       CURRENT_TIMESTAMP
                FROM bulk_job WHERE id = ? FOR UPDATE""" + skipLocked)) {
            query.setLong(1, id);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                long bound = row.getLong(5);
                Long boundId = row.wasNull() ? null : bound;
                return new Job(
                        id,
                        row.getString(1),
                        row.getString(2),
                        row.getInt(3),
                        row.getString(4),
                        boundId,
                        row.getLong(6),
                        row.getObject(7, OffsetDateTime.class),
                        row.getObject(8, UUID.class),
                        row.getObject(9, OffsetDateTime.class),
                        row.getObject(10, OffsetDateTime.class));
            }
        }
    }

    /** How many deliveries the throttle allows now, and how far that moves {@code throttle_at}. */
    record Budget(OffsetDateTime base, int available) {

        static Budget of(Job job, int batch) {
            OffsetDateTime earliest = job.now().minus(BURST);
            OffsetDateTime base = job.throttleAt().isAfter(earliest) ? job.throttleAt() : earliest;
            long nanos = Math.max(0, Duration.between(base, job.now()).toNanos());
            long available = nanos * job.rate() / NANOS_PER_SECOND;
            return new Budget(base, (int) Math.min(batch, available));
        }

        OffsetDateTime spentUpTo(int done, int rate) {
            return base.plusNanos(done * NANOS_PER_SECOND / rate);
        }
    }

    private Progress replayStep(Connection connection, Job job, int allowance) throws SQLException {
        ReplaySelection selection = ReplaySelection.of(BulkRequests.read(job.request(), BulkRequests.Replay.class));
        List<Long> candidates = new ArrayList<>();
        try (PreparedStatement query = PostgresBulk.plannedPerRun(
                connection,
                "SELECT o.id FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id WHERE " + selection.sql()
                        + " ORDER BY o.id LIMIT ?")) {
            int i = selection.bind(query, 1, job.cursorId(), job.boundId());
            query.setInt(i, allowance);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    candidates.add(rows.getLong(1));
                }
            }
        }
        List<Long> replayed = OutboxStore.replayDead(connection, candidates, job.now());
        boolean finished = candidates.size() < allowance;
        long cursor = candidates.isEmpty() ? job.cursorId() : candidates.get(candidates.size() - 1);
        return new Progress(replayed.size(), candidates.size() - replayed.size(), cursor, null, null, finished);
    }

    /**
     * Reads a batch of events from the cursor on; adds a delivery for each event that has none to
     * the sink yet, until the allowance is spent, and moves the cursor past the events it handled.
     */
    private Progress backfillStep(Connection connection, Job job, int allowance) throws SQLException {
        BulkRequests.Backfill request = BulkRequests.read(job.request(), BulkRequests.Backfill.class);
        BackfillSelection selection = BackfillSelection.of(
                request,
                job.cursorAt() == null
                        ? null
                        : new EventSearch.Cursor(job.cursorAt().toInstant(), job.cursorEvent()));
        List<UUID> events = new ArrayList<>();
        List<OffsetDateTime> received = new ArrayList<>();
        try (PreparedStatement query = PostgresBulk.plannedPerRun(
                connection,
                "SELECT e.event_id, e.received_at" + " FROM delivery_event e WHERE " + selection.sql()
                        + " ORDER BY e.received_at, e.event_id LIMIT ?")) {
            int i = selection.bind(query, 1);
            query.setInt(i, BATCH);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(rows.getObject(1, UUID.class));
                    received.add(rows.getObject(2, OffsetDateTime.class));
                }
            }
        }
        Set<UUID> delivered = existing(connection, events, request.sink());
        List<UUID> added = new ArrayList<>();
        int skipped = 0;
        int handled = 0;
        for (UUID event : events) {
            if (delivered.contains(event)) {
                skipped++;
            } else if (added.size() < allowance) {
                added.add(event);
            } else {
                break;
            }
            handled++;
        }
        OutboxStore.enqueue(connection, added, request.sink(), job.now());
        boolean finished = events.size() < BATCH && handled == events.size();
        if (handled == 0) {
            return new Progress(0, 0, null, job.cursorAt(), job.cursorEvent(), finished);
        }
        return new Progress(added.size(), skipped, null, received.get(handled - 1), events.get(handled - 1), finished);
    }

    /** Those of the events that already have a delivery to the sink (in any state). */
    private static Set<UUID> existing(Connection connection, List<UUID> events, String sink) throws SQLException {
        Set<UUID> existing = new HashSet<>();
        if (events.isEmpty()) {
            return existing;
        }
        try (PreparedStatement query = PostgresBulk.plannedPerRun(
                connection,
                "SELECT event_id FROM outbox WHERE sink = ?" + " AND event_id IN ("
                        + String.join(",", Collections.nCopies(events.size(), "?")) + ")")) {
            query.setString(1, sink);
            for (int i = 0; i < events.size(); i++) {
                query.setObject(i + 2, events.get(i));
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    existing.add(rows.getObject(1, UUID.class));
                }
            }
        }
        return existing;
    }

    private static void save(Connection connection, Job job, Progress progress, OffsetDateTime throttleAt)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE bulk_job SET replayed = replayed + ?, skipped = skipped + ?, cursor_id = ?, cursor_at = ?,
                                    cursor_event = ?, throttle_at = ?, state = ?, updated_at = CURRENT_TIMESTAMP,
                                    finished_at = ?
                WHERE id = ?""")) {
            update.setLong(1, progress.done());
            update.setLong(2, progress.skipped());
            update.setLong(3, progress.cursorId() == null ? job.cursorId() : progress.cursorId());
            update.setObject(4, progress.cursorAt());
            update.setObject(5, progress.cursorEvent());
            update.setObject(6, throttleAt);
            update.setString(7, progress.finished() ? DONE : RUNNING);
            update.setObject(8, progress.finished() ? job.now() : null);
            update.setLong(9, job.id());
            update.executeUpdate();
        }
    }

    private static OffsetDateTime databaseNow(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT CURRENT_TIMESTAMP");
                ResultSet row = query.executeQuery()) {
            row.next();
            return row.getObject(1, OffsetDateTime.class);
        }
    }

    /**
     * The dead deliveries a replay covers, over {@code outbox o JOIN delivery_event e}, after
     * the cursor and up to the bound (two placeholders first, then the request's).
     */
    private record ReplaySelection(String sql, List<Object> parameters) {

        static ReplaySelection of(BulkRequests.Replay request) {
            StringBuilder sql = new StringBuilder("o.state = 'dead' AND o.id > ? AND o.id <= ?");
            List<Object> parameters = new ArrayList<>();
            if (request.ids() != null) {
                sql.append(" AND o.id IN (")
                        .append(request.ids().stream().map(id -> "?").collect(Collectors.joining(",")))
                        .append(')');
                parameters.addAll(request.ids());
            } else {
                if (request.filter().sink() != null) {
                    sql.append(" AND o.sink = ?");
                    parameters.add(request.filter().sink());
                }
                // without its sink the filter is conditions on the event alone (no WITH)
                EventSearch.Where where = EventSearch.where(request.filter().withoutSink(), false);
                sql.append(" AND ").append(where.sql());
                parameters.addAll(where.parameters());
            }
            return new ReplaySelection(sql.toString(), parameters);
        }

        int bind(PreparedStatement statement, int first, long after, Long upTo) throws SQLException {
            int i = first;
            statement.setLong(i++, after);
            statement.setLong(i++, upTo == null ? Long.MAX_VALUE : upTo);
            for (Object parameter : parameters) {
                statement.setObject(i++, parameter);
            }
            return i;
        }
    }

    /** The events a backfill covers, over {@code delivery_event e}: in its range, wanted by the sink, after the cursor. */
    private record BackfillSelection(String sql, List<Object> parameters) {

        static BackfillSelection of(BulkRequests.Backfill request, EventSearch.Cursor after) {
            StringBuilder sql = new StringBuilder("e.received_at >= ? AND e.received_at < ?");
            List<Object> parameters = new ArrayList<>(List.of(request.from(), request.to()));
            if (after != null) {
                sql.append(" AND (e.received_at, e.event_id) > (?, ?)");
                parameters.add(after.receivedAt().atOffset(ZoneOffset.UTC));
                parameters.add(after.eventId());
            }
            if (!request.statuses().isEmpty()) {
                sql.append(" AND e.status IN (")
                        .append(request.statuses().stream().map(s -> "?").collect(Collectors.joining(",")))
                        .append(')');
                request.statuses().stream().sorted().forEach(status -> parameters.add(status.name()));
            }
            return new BackfillSelection(sql.toString(), parameters);
        }

        int bind(PreparedStatement statement, int first) throws SQLException {
            int i = first;
            for (Object parameter : parameters) {
                statement.setObject(i++, parameter);
            }
            return i;
        }
    }

    private <T> T run(Transactions.Work<T> work) {
        return Transactions.run(dataSource, "Bulk jobs", work);
    }
}
