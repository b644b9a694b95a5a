package io.dlrhub.retention;

import io.dlrhub.store.PostgresBulk;
import io.dlrhub.store.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The SQL of the retention job: what may go, in batches of short transactions, and the tables'
 * sizes. Written in SQL that PostgreSQL and H2 (MODE=PostgreSQL) both run.
 * <p>
 * What goes, older than the window ({@code received_at} before the cutoff): an event all of whose
 * deliveries were delivered (or that had none), with those outbox rows and their attempts, and
 * the message's current status once no event of the message is left. An event with a pending or
 * dead delivery stays, whatever its age, with all its rows. Dead deliveries go only when an
 * operator purges them ({@link #purgeDead}); their event then follows the window.
 */
public class RetentionStore {

    /** The tables, in the order a purge deletes from them: what refers to an event goes before it. */
    public static final List<String> TABLES = List.of("delivery_attempt", "outbox", "delivery_event", "message_status");

    /**
     * The next events by age after the cursor, each with whether it may go (no delivery that is not
     * delivered). Keyset on (received_at, event_id): every batch starts where the last one ended,
     * on the index ix_delivery_event_received (V6), so events kept for a dead delivery are read once
     * per run. The batch is chosen in a subquery first: asked of the whole table, PostgreSQL hashed
     * every undelivered outbox row for the EXISTS (a sequential scan, 340 ms a batch at 2 million
     * rows) instead of probing ix_outbox_event once per candidate (12 ms).
     */
    private static final String CANDIDATES = """
            SELECT c.event_id, c.received_at, c.provider, c.message_id,
                   CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = c.event_id AND o.state <> 'delivered')
                        THEN 0 ELSE 1 END AS purgeable
            FROM (SELECT e.event_id, e.received_at, e.provider, e.message_id FROM delivery_event e
                  WHERE e.received_at < ? AND (e.received_at, e.event_id) > (?, ?)
                  ORDER BY e.received_at, e.event_id
                  LIMIT ?) c
            ORDER BY c.received_at, c.event_id""";

    private static final String DELETE_ATTEMPTS = "DELETE FROM delivery_attempt WHERE event_id IN (%s)";
    private static final String DELETE_DELIVERED = "DELETE FROM outbox WHERE event_id IN (%s) AND state = 'delivered'";
    // checked again: a delivery added since the candidates were read (a backfill) keeps its event
    private static final String DELETE_EVENTS = """
            DELETE FROM delivery_event WHERE event_id IN (%s)
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = delivery_event.event_id)""";
    // updated_at: a status raised meanwhile by a new event of the message stays
    private static final String DELETE_STATUS = """
            DELETE FROM message_status WHERE provider = ? AND message_id = ? AND updated_at < ?
            AND NOT EXISTS (SELECT 1 FROM delivery_event e
                            WHERE e.provider = message_status.provider AND e.message_id = message_status.message_id)""";
    /** Locked, so a replay of one of them waits for this short transaction instead of being deleted under it. */
    private static final String DEAD = """
            SELECT id, event_id FROM outbox WHERE state = 'dead' AND updated_at < ? %s
            ORDER BY updated_at, id LIMIT ? FOR UPDATE""";

    /** Where a purge run has got to: the last event looked at. */
    public record Cursor(OffsetDateTime receivedAt, UUID eventId) {

        /** Before every event. */
        public static final Cursor START = new Cursor(OffsetDateTime.parse("0001-01-01T00:00:00Z"), new UUID(0, 0));
    }

    /**
     * One batch's work: rows deleted per table, and where the next batch starts ({@code next}
     * null: no more events older than the cutoff).
     */
    public record Batch(Map<String, Integer> deleted, int examined, Cursor next) {

        public int total() {
            return deleted.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final DataSource dataSource;
    private final PostgresBulk.Detector database = new PostgresBulk.Detector();

    public RetentionStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Looks at up to {@code size} events received before {@code cutoff}, after {@code from}, and deletes what may go. */
    public Batch purgeBatch(OffsetDateTime cutoff, Cursor from, int size) {
        return run(connection -> {
            List<UUID> purgeable = new ArrayList<>();
            Set<List<String>> messages = new LinkedHashSet<>();
            int examined = 0;
            Cursor last = null;
            try (PreparedStatement query = PostgresBulk.plannedPerRun(connection, CANDIDATES)) {
                query.setObject(1, cutoff);
                query.setObject(2, from.receivedAt());
                query.setObject(3, from.eventId());
                query.setInt(4, size);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        examined++;
                        UUID eventId = rows.getObject(1, UUID.class);
                        last = new Cursor(rows.getObject(2, OffsetDateTime.class), eventId);
                        if (rows.getInt(5) == 1) {
                            purgeable.add(eventId);
                            messages.add(List.of(rows.getString(3), rows.getString(4)));
                        }
                    }
                }
            }
            Map<String, Integer> deleted = new LinkedHashMap<>();
            TABLES.forEach(table -> deleted.put(table, 0));
            if (!purgeable.isEmpty()) {
                deleted.put("delivery_attempt", deleteIn(connection, DELETE_ATTEMPTS, purgeable));
                deleted.put("outbox", deleteIn(connection, DELETE_DELIVERED, purgeable));
                deleted.put("delivery_event", deleteIn(connection, DELETE_EVENTS, purgeable));
                deleted.put("message_status", deleteStatuses(connection, messages, cutoff));
            }
            return new Batch(deleted, examined, examined < size ? null : last);
        });
    }

    /**
     * Deletes up to {@code limit} dead deliveries that went dead before {@code before} (of one sink,
     * or any when null), with their attempts. Their events stay until the retention window says
     * otherwise (with RETENTION_DAYS=0, for ever), so a message's timeline keeps its other deliveries.
     */
    public Map<String, Integer> purgeDead(OffsetDateTime before, String sink, int limit) {
        return run(connection -> {
            List<Long> ids = new ArrayList<>();
            Set<UUID> events = new LinkedHashSet<>();
            try (PreparedStatement query =
                    connection.prepareStatement(DEAD.formatted(sink == null ? "" : "AND sink = ?"))) {
                int i = 1;
                query.setObject(i++, before);
                if (sink != null) {
                    query.setString(i++, sink);
                }
                query.setInt(i, limit);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                        events.add(rows.getObject(2, UUID.class));
                    }
                }
            }
            Map<String, Integer> deleted = new LinkedHashMap<>();
            deleted.put("delivery_attempt", 0);
            deleted.put("outbox", 0);
            if (ids.isEmpty()) {
                return deleted;
            }
            // by event first (the attempts' index), then the outbox ids among them
            String sql = "DELETE FROM delivery_attempt WHERE event_id IN (" + placeholders(events.size())
                    + ") AND outbox_id IN (" + placeholders(ids.size()) + ")";
            try (PreparedStatement delete = PostgresBulk.plannedPerRun(connection, sql)) {
                int i = 1;
                for (UUID event : events) {
                    delete.setObject(i++, event);
                }
                for (long id : ids) {
                    delete.setLong(i++, id);
                }
                deleted.put("delivery_attempt", delete.executeUpdate());
            }
            try (PreparedStatement delete = PostgresBulk.plannedPerRun(
                    connection,
                    "DELETE FROM outbox WHERE state = 'dead' AND id IN (" + placeholders(ids.size()) + ")")) {
                for (int i = 0; i < ids.size(); i++) {
                    delete.setLong(i + 1, ids.get(i));
                }
                deleted.put("outbox", delete.executeUpdate());
            }
            return deleted;
        });
    }

    /**
     * Estimated rows per table, without counting them: PostgreSQL's planner statistics
     * (pg_class.reltuples, kept by autovacuum's ANALYZE), H2's own estimate. 0 for a table
     * PostgreSQL has not analysed yet.
     */
    public Map<String, Long> estimatedRows() {
        return run(connection -> {
            Map<String, Long> rows = new LinkedHashMap<>();
            TABLES.forEach(table -> rows.put(table, 0L));
            String sql = database.isPostgres(connection)
                    ? "SELECT c.relname, c.reltuples FROM pg_class c WHERE c.oid IN ("
                            + String.join(", ", Collections.nCopies(TABLES.size(), "to_regclass(?)")) + ")"
                    : "SELECT table_name, row_count_estimate FROM information_schema.tables"
                            + " WHERE table_schema = current_schema() AND table_name IN (" + placeholders(TABLES.size())
                            + ")";
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                for (int i = 0; i < TABLES.size(); i++) {
                    query.setString(i + 1, TABLES.get(i));
                }
                try (ResultSet result = query.executeQuery()) {
                    while (result.next()) {
                        rows.put(result.getString(1), Math.max(0, Math.round(result.getDouble(2))));
                    }
                }
            }
            return rows;
        });
    }

    private static int deleteIn(Connection connection, String sql, List<UUID> ids) throws SQLException {
        try (PreparedStatement delete =
                PostgresBulk.plannedPerRun(connection, sql.formatted(placeholders(ids.size())))) {
            for (int i = 0; i < ids.size(); i++) {
                delete.setObject(i + 1, ids.get(i));
            }
            return delete.executeUpdate();
        }
    }

    /** One statement per message, sent as one batch. */
    private static int deleteStatuses(Connection connection, Set<List<String>> messages, OffsetDateTime cutoff)
            throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(DELETE_STATUS)) {
            for (List<String> message : messages) {
                delete.setString(1, message.get(0));
                delete.setString(2, message.get(1));
                delete.setObject(3, cutoff);
                delete.addBatch();
            }
            int deleted = 0;
            for (int count : delete.executeBatch()) {
                deleted += Math.max(0, count);
            }
            return deleted;
        }
    }

    private static String placeholders(int count) {
        return String.join(",", Collections.nCopies(count, "?"));
    }

    private <T> T run(Transactions.Work<T> work) {
        return Transactions.run(dataSource, "Retention", work);
    }
}
