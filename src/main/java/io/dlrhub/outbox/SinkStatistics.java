package io.dlrhub.outbox;

import io.dlrhub.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What the console shows per sink: the backlog and dead deliveries (from the outbox, through its
 * state-first index: delivered rows are never read) and recent attempts (from
 * {@code delivery_attempt}, through its {@code started_at} index, a bounded time range only).
 */
public class SinkStatistics {

    /** Deliveries of one sink waiting and given up; {@code oldestPending} is null when none waits. */
    public record Backlog(long pending, Instant oldestPending, long dead) {}

    /** One failed attempt: retried later ({@code retry}) or given up ({@code dead}). */
    public record Failure(long outboxId, UUID eventId, Instant at, String outcome, Integer httpStatus, String detail) {}

    private static final String PENDING = """
            SELECT sink, COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending' GROUP BY sink""";
    private static final String DEAD = "SELECT sink, COUNT(*) FROM outbox WHERE state = 'dead' GROUP BY sink";
    private static final String OUTCOMES = """
            SELECT sink, outcome, COUNT(*) FROM delivery_attempt WHERE started_at >= ? GROUP BY sink, outcome""";
    private static final String FAILURES = """
            SELECT outbox_id, event_id, started_at, outcome, http_status, detail FROM delivery_attempt
            WHERE started_at >= ? AND sink = ? AND outcome IN ('retry', 'dead')
            ORDER BY started_at DESC, id DESC LIMIT ?""";

    private final DataSource dataSource;

    public SinkStatistics(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Per sink that has any pending or dead delivery. */
    public Map<String, Backlog> backlog() {
        return read(connection -> {
            Map<String, Backlog> backlog = new TreeMap<>();
            try (PreparedStatement query = connection.prepareStatement(PENDING);
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    OffsetDateTime oldest = rows.getObject(3, OffsetDateTime.class);
                    backlog.put(
                            rows.getString(1),
                            new Backlog(rows.getLong(2), oldest == null ? null : oldest.toInstant(), 0));
                }
            }
            try (PreparedStatement query = connection.prepareStatement(DEAD);
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Backlog pending = backlog.getOrDefault(rows.getString(1), new Backlog(0, null, 0));
                    backlog.put(
                            rows.getString(1),
                            new Backlog(pending.pending(), pending.oldestPending(), rows.getLong(2)));
                }
            }
            return backlog;
        });
    }

    /** Attempts since a time, per sink and outcome (delivered, retry, dead, released). */
    public Map<String, Map<String, Long>> outcomesSince(Instant since) {
        return read(connection -> {
            Map<String, Map<String, Long>> outcomes = new TreeMap<>();
            try (PreparedStatement query = connection.prepareStatement(OUTCOMES)) {
                query.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        outcomes.computeIfAbsent(rows.getString(1), sink -> new TreeMap<>())
                                .put(rows.getString(2), rows.getLong(3));
                    }
                }
            }
            return outcomes;
        });
    }

    /** A sink's failed attempts since a time, newest first. */
    public List<Failure> recentFailures(String sink, Instant since, int limit) {
        return read(connection -> {
            List<Failure> failures = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(FAILURES)) {
                query.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
                query.setString(2, sink);
                query.setInt(3, limit);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        int status = rows.getInt(5);
                        Integer httpStatus = rows.wasNull() ? null : status;
                        failures.add(new Failure(
                                rows.getLong(1),
                                rows.getObject(2, UUID.class),
                                rows.getObject(3, OffsetDateTime.class).toInstant(),
                                rows.getString(4),
                                httpStatus,
                                rows.getString(6)));
                    }
                }
            }
            return failures;
        });
    }

    private interface Query<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T read(Query<T> query) {
        try (Connection connection = dataSource.getConnection()) {
            try {
                return query.run(connection);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("Could not read the sinks' deliveries: " + e.getMessage(), e);
        }
    }
}
