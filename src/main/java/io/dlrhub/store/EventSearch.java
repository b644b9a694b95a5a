package io.dlrhub.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Search over the stored events, newest first ({@code received_at} descending, {@code event_id}
 * breaking ties), a page at a time with a keyset cursor: the next page starts strictly after the
 * last row shown, so pages neither skip nor repeat rows however many share one received_at, and
 * reading page 1,000 costs what reading page 1 does (no OFFSET). The indexes behind it are
 * described in migration V6.
 */
public class EventSearch {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    public static final List<String> SINK_STATES = List.of("pending", "delivered", "dead");
    /** A sink's state in a row's {@code sinks} when it has several deliveries: the one that needs attention. */
    private static final List<String> STATE_PRIORITY = List.of("dead", "pending", "delivered");

    private final DataSource dataSource;
    private final PostgresBulk.Detector database = new PostgresBulk.Detector();

    public EventSearch(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * What to look for; null fields do not filter. {@code from} is inclusive and {@code to}
     * exclusive, both on received_at. {@code sink} and {@code sinkState}: events with a delivery
     * to that sink, in that state (either alone: any state, any sink).
     */
    public record Filter(
            String provider,
            String messageId,
            String messageIdPrefix,
            String status,
            String channel,
            String sink,
            String sinkState,
            OffsetDateTime from,
            OffsetDateTime to) {

        public static final Filter ALL = new Filter(null, null, null, null, null, null, null, null, null);

        /** The same filter without its sink conditions (a replay applies the sink to the dead delivery itself). */
        public Filter withoutSink() {
            return new Filter(provider, messageId, messageIdPrefix, status, channel, null, null, from, to);
        }
    }

    /**
     * A SQL condition over {@code delivery_event e} and the values of its placeholders, in order;
     * {@code with}: a WITH clause the statement must start with (its placeholders come first);
     * {@code from}: what the search reads ({@code delivery_event e}, or the dead deliveries joined
     * to their events); {@code order}: the two columns it reads in the search's order, the
     * received_at and the event_id of the row.
     */
    public record Where(String with, String from, List<String> order, String sql, List<Object> parameters) {

        static final String EVENTS = "delivery_event e";
        static final List<String> EVENT_ORDER = List.of("e.received_at", "e.event_id");

        /** Binds the parameters from placeholder {@code first} on; returns the next free one. */
        public int bind(PreparedStatement statement, int first) throws SQLException {
            int i = first;
            for (Object parameter : parameters) {
                statement.setObject(i++, parameter);
            }
            return i;
        }
    }

    /** One event as the search lists it; {@code sinks}: each sink's delivery state. */
    public record Row(
            UUID eventId,
            String provider,
            String channel,
            String messageId,
            String status,
            String providerStatus,
            String errorCode,
            OffsetDateTime occurredAt,
            OffsetDateTime receivedAt,
            Map<String, String> sinks) {}

    /** A page and the cursor of the next one (null on the last page). */
    public record Page(List<Row> events, String next) {}

    /** Where a page ends: the last row's received_at and event_id, opaque to the caller. */
    public record Cursor(Instant receivedAt, UUID eventId) {

        public String encode() {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((receivedAt + "/" + eventId).getBytes(StandardCharsets.UTF_8));
        }

        /** @throws IllegalArgumentException naming {@code after} when it is not a cursor this API gave out */
        public static Cursor decode(String text) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("/", -1);
                if (parts.length == 2) {
                    return new Cursor(Instant.parse(parts[0]), UUID.fromString(parts[1]));
                }
            } catch (IllegalArgumentException | DateTimeParseException malformed) {
                // answered below
            }
            throw new IllegalArgumentException(
                    "after is not a cursor this API gave out (use the next of the previous page)");
        }
    }

    /**
     * The conditions of a filter over {@code delivery_event e} (true when it filters nothing).
     * <p>
     * Deliveries dead or pending are few among millions delivered, and a search for them must not
     * walk every event newest first to find the few with such a delivery (with fewer than a page
     * of them it would read the whole table): it starts from those deliveries.
     * <ul>
     *   <li>dead: read in the search's order off ix_outbox_dead_received (migration V7: a dead
     *   delivery carries its event's received_at), each joined to its event, until a page is
     *   full; its cost is a page's, however many are dead. An event dead to several sinks is
     *   listed once, for its first dead delivery (lowest id).</li>
     *   <li>pending: from the state-first due index, each pending delivery's event looked up and
     *   the lot sorted. PostgreSQL is held to that order by a materialized WITH (its planner
     *   otherwise prefers the walk, guessing the matches spread evenly); H2 takes the IN as
     *   written. Its cost grows with the pending deliveries (a backlog), not with the events.</li>
     * </ul>
     */
    public static Where where(Filter filter, boolean postgres) {
        List<String> conditions = new ArrayList<>();
        List<Object> withParameters = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        String with = "";
        add(conditions, parameters, "e.provider = ?", filter.provider());
        add(conditions, parameters, "e.message_id = ?", filter.messageId());
        if (filter.messageIdPrefix() != null) {
            add(conditions, parameters, "e.message_id LIKE ? ESCAPE '\\'", likePrefix(filter.messageIdPrefix()));
        }
        add(conditions, parameters, "e.status = ?", filter.status());
        add(conditions, parameters, "e.channel = ?", filter.channel());
        add(conditions, parameters, "e.received_at >= ?", filter.from());
        add(conditions, parameters, "e.received_at < ?", filter.to());
        if ("dead".equals(filter.sinkState())) {
            // the literal, not a placeholder: the planner matches it to the partial index's predicate
            conditions.add("o.state = 'dead'");
            if (filter.sink() != null) {
                add(conditions, parameters, "o.sink = ?", filter.sink());
            } else {
                conditions.add("NOT EXISTS (SELECT 1 FROM outbox d"
                        + " WHERE d.event_id = o.event_id AND d.state = 'dead' AND d.id < o.id)");
            }
            // the range once more on the delivery's copy: the index reads only the range
            add(conditions, parameters, "o.event_received_at >= ?", filter.from());
            add(conditions, parameters, "o.event_received_at < ?", filter.to());
            return new Where(
                    "",
                    "outbox o JOIN delivery_event e ON e.event_id = o.event_id",
                    List.of("o.event_received_at", "o.event_id"),
                    String.join(" AND ", conditions),
                    parameters);
        }
        if ("pending".equals(filter.sinkState())) {
            String deliveries = "SELECT o.event_id FROM outbox o WHERE o.state = ?"
                    + (filter.sink() == null ? "" : " AND o.sink = ?");
            List<Object> values = postgres ? withParameters : parameters;
            values.add(filter.sinkState());
            if (filter.sink() != null) {
                values.add(filter.sink());
            }
            if (postgres) {
                with = "WITH sink_deliveries AS MATERIALIZED (" + deliveries + ") ";
                conditions.add("e.event_id IN (SELECT event_id FROM sink_deliveries)");
            } else {
                conditions.add("e.event_id IN (" + deliveries + ")");
            }
        } else if (filter.sink() != null || filter.sinkState() != null) {
            // most events have such a delivery: walking them newest first finds a page at once
            StringBuilder exists = new StringBuilder("EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.event_id");
            if (filter.sink() != null) {
                exists.append(" AND o.sink = ?");
                parameters.add(filter.sink());
            }
            if (filter.sinkState() != null) {
                exists.append(" AND o.state = ?");
                parameters.add(filter.sinkState());
            }
            conditions.add(exists.append(')').toString());
        }
        withParameters.addAll(parameters);
        return new Where(
                with,
                Where.EVENTS,
                Where.EVENT_ORDER,
                conditions.isEmpty() ? "1 = 1" : String.join(" AND ", conditions),
                withParameters);
    }

    private static void add(List<String> conditions, List<Object> parameters, String condition, Object value) {
        if (value != null) {
            conditions.add(condition);
            parameters.add(value);
        }
    }

    /** A LIKE pattern matching what starts with {@code prefix}: its own % and _ (and the escape) match only themselves. */
    static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    public Page search(Filter filter, int limit, Cursor after) {
        try (Connection connection = dataSource.getConnection()) {
            try {
                return search(connection, filter, limit, after);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("Could not search events: " + e.getMessage(), e);
        }
    }

    /**
     * A message id prefix matches anywhere from none to millions of events, and PostgreSQL cannot
     * tell which from its statistics (it guessed 1 % for a prefix of 100 numeric ids among 10
     * million, and walked 925,870 events newest first to find 51 of them: 1.2 s). Above this
     * many matches the walk is the right plan (a page is found among the newest events); up to
     * it, the matches are read off the message id index and sorted.
     */
    public static final int PREFIX_WALK_ABOVE = 10_000;

    private Page search(Connection connection, Filter filter, int limit, Cursor after) throws SQLException {
        boolean postgres = database.isPostgres(connection);
        Where where = where(filter, postgres);
        if (postgres && prefixOnly(filter) && prefixMatchesAtMost(connection, where, PREFIX_WALK_ABOVE)) {
            return byPrefix(connection, where, limit, after);
        }
        return search(connection, where, limit, after);
    }

    /** A search by message id prefix and at most a time range: the form the console's search box sends. */
    private static boolean prefixOnly(Filter filter) {
        return filter.messageIdPrefix() != null
                && filter.provider() == null
                && filter.messageId() == null
                && filter.status() == null
                && filter.channel() == null
                && filter.sink() == null
                && filter.sinkState() == null;
    }

    /** Counts the prefix's matches on the index alone (an index-only scan), stopping past {@code most}. */
    private static boolean prefixMatchesAtMost(Connection connection, Where keys, int most) throws SQLException {
        try (PreparedStatement count = PostgresBulk.plannedPerRun(
                connection,
                "SELECT COUNT(*) FROM (SELECT 1 FROM delivery_event e WHERE " + keys.sql() + " LIMIT ?) m")) {
            int i = keys.bind(count, 1);
            count.setInt(i, most + 1);
            try (ResultSet result = count.executeQuery()) {
                result.next();
                return result.getLong(1) <= most;
            }
        }
    }

    /**
     * The page among the prefix's matches (at most {@link #PREFIX_WALK_ABOVE}): their keys read
     * off the message id index alone into a materialized set (so the planner cannot choose the
     * walk), the page's keys sorted out of it, and only the page's events read from the table.
     */
    private static Page byPrefix(Connection connection, Where keys, int limit, Cursor after) throws SQLException {
        String sql = "WITH matches AS MATERIALIZED (SELECT e.event_id, e.received_at FROM delivery_event e WHERE "
                + keys.sql() + before(Where.EVENT_ORDER, after) + "),"
                + " page AS (SELECT event_id FROM matches ORDER BY received_at DESC, event_id DESC LIMIT ?)"
                + " SELECT " + COLUMNS + " FROM delivery_event e WHERE e.event_id IN (SELECT event_id FROM page)"
                + " ORDER BY e.received_at DESC, e.event_id DESC";
        return readPage(connection, sql, keys, after, limit);
    }

    private Page search(Connection connection, Where where, int limit, Cursor after) throws SQLException {
        String sql = where.with() + "SELECT " + COLUMNS + " FROM " + where.from() + " WHERE " + where.sql()
                + before(where.order(), after)
                + " ORDER BY " + String.join(" DESC, ", where.order()) + " DESC LIMIT ?";
        return readPage(connection, sql, where, after, limit);
    }

    /** The keyset condition of the page after {@code after} over the two order columns (empty for the first page). */
    private static String before(List<String> order, Cursor after) {
        return after == null ? "" : " AND (" + String.join(", ", order) + ") < (?, ?)";
    }

    /**
     * Runs a page query whose placeholders are the where's, then the cursor's two (when there is
     * one), then the limit: one more row than asked, to know whether there is a next page.
     */
    private static Page readPage(Connection connection, String sql, Where where, Cursor after, int limit)
            throws SQLException {
        // planned with the values at hand: a LIKE prefix uses the index only when the planner sees it
        try (PreparedStatement query = PostgresBulk.plannedPerRun(connection, sql)) {
            int i = where.bind(query, 1);
            if (after != null) {
                query.setObject(i++, after.receivedAt().atOffset(ZoneOffset.UTC));
                query.setObject(i++, after.eventId());
            }
            query.setInt(i, limit + 1);
            return page(connection, readRows(query), limit);
        }
    }

    /** The rows of a query asked for one more than {@code limit}: the page, its sinks and its next cursor. */
    private static Page page(Connection connection, List<Row> rows, int limit) throws SQLException {
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Row last = rows.get(limit - 1);
            next = new Cursor(last.receivedAt().toInstant(), last.eventId()).encode();
        }
        return new Page(withSinks(connection, rows), next);
    }

    static final String COLUMNS = "e.event_id, e.provider, e.channel, e.message_id, e.status, e.provider_status,"
            + " e.error_code, e.occurred_at, e.received_at";

    /** Rows of a query selecting {@link #COLUMNS}, their sinks not filled in yet. */
    static List<Row> readRows(PreparedStatement query) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet result = query.executeQuery()) {
            while (result.next()) {
                rows.add(new Row(
                        result.getObject(1, UUID.class),
                        result.getString(2),
                        result.getString(3),
                        result.getString(4),
                        result.getString(5),
                        result.getString(6),
                        result.getString(7),
                        utc(result.getObject(8, OffsetDateTime.class)),
                        utc(result.getObject(9, OffsetDateTime.class)),
                        Map.of()));
            }
        }
        return rows;
    }

    static OffsetDateTime utc(OffsetDateTime time) {
        return time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** The rows with each one's sinks and their delivery states, in one query for the whole page. */
    static List<Row> withSinks(Connection connection, List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return rows;
        }
        Map<UUID, Map<String, String>> sinks = new HashMap<>();
        String placeholders = String.join(",", Collections.nCopies(rows.size(), "?"));
        try (PreparedStatement query = PostgresBulk.plannedPerRun(
                connection, "SELECT event_id, sink, state FROM outbox WHERE event_id IN (" + placeholders + ")")) {
            for (int i = 0; i < rows.size(); i++) {
                query.setObject(i + 1, rows.get(i).eventId());
            }
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    sinks.computeIfAbsent(result.getObject(1, UUID.class), id -> new TreeMap<>())
                            .merge(result.getString(2), result.getString(3), EventSearch::moreUrgent);
                }
            }
        }
        List<Row> filled = new ArrayList<>(rows.size());
        for (Row row : rows) {
            filled.add(new Row(
                    row.eventId(),
                    row.provider(),
                    row.channel(),
                    row.messageId(),
                    row.status(),
                    row.providerStatus(),
                    row.errorCode(),
                    row.occurredAt(),
                    row.receivedAt(),
                    Collections.unmodifiableMap(new LinkedHashMap<>(sinks.getOrDefault(row.eventId(), Map.of())))));
        }
        return filled;
    }

    private static String moreUrgent(String one, String other) {
        int a = STATE_PRIORITY.indexOf(one);
        int b = STATE_PRIORITY.indexOf(other);
        return a >= 0 && (b < 0 || a <= b) ? one : other;
    }
}
