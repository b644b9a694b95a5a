package io.dlrhub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * How many events were stored lately, for the console's overview: counted in the database, so
 * every instance sharing it is included and a restart forgets nothing. Each count reads only the
 * {@code received_at} range asked for.
 */
public class ReceivedEvents {

    private static final String PER_MINUTE = """
            SELECT DATE_TRUNC('minute', received_at), COUNT(*) FROM delivery_event
            WHERE received_at >= ? AND received_at < ? GROUP BY DATE_TRUNC('minute', received_at)""";
    private static final String COUNT =
            "SELECT COUNT(*) FROM delivery_event WHERE received_at >= ? AND received_at < ?";

    private final DataSource dataSource;

    public ReceivedEvents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Events received in [from, to) per minute, keyed by the minute's start; minutes without events are absent. */
    public Map<Instant, Long> perMinute(Instant from, Instant to) {
        return read(connection -> {
            Map<Instant, Long> counts = new TreeMap<>();
            try (PreparedStatement query = connection.prepareStatement(PER_MINUTE)) {
                query.setObject(1, utc(from));
                query.setObject(2, utc(to));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        counts.merge(rows.getObject(1, OffsetDateTime.class).toInstant(), rows.getLong(2), Long::sum);
                    }
                }
            }
            return counts;
        });
    }

    /** Events received in [from, to). */
    public long count(Instant from, Instant to) {
        return read(connection -> {
            try (PreparedStatement query = connection.prepareStatement(COUNT)) {
                query.setObject(1, utc(from));
                query.setObject(2, utc(to));
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        });
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
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
            throw new StoreUnavailableException("Could not count received events: " + e.getMessage(), e);
        }
    }
}
