package io.dlrhub.ops;

import static io.dlrhub.ops.Fixtures.ADMIN;
import static io.dlrhub.ops.Fixtures.eventIds;
import static io.dlrhub.ops.Fixtures.messageIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.store.EventSearch;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A message id prefix on PostgreSQL is searched two ways, by how many events it matches: up to
 * {@link EventSearch#PREFIX_WALK_ABOVE} off the message id index, more by walking the newest
 * events. Both give the same pages: newest first, none skipped or repeated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrefixSearchPostgresTest {

    @RegisterExtension
    static final HubExtension shared = HubExtension.on(TestDatabase::postgres)
            .with(Map.of("admin.token", ADMIN, "db.pool-size", "2", "retention.days", "0"));

    @BeforeAll
    void writeEvents() throws Exception {
        try (Connection connection = shared.database().connect();
                Statement statement = connection.createStatement()) {
            // "many-": one more than the index path takes, a second apart; "few-": 7, two of one moment
            statement.execute(events("many-", EventSearch.PREFIX_WALK_ABOVE + 1, "g"));
            statement.execute(events("few-", 7, "g / 2"));
            statement.execute("ANALYZE delivery_event");
        }
    }

    private static String events(String prefix, int count, String secondsOf) {
        return """
                INSERT INTO delivery_event (event_id, provider, channel, message_id, status, provider_status,
                    error_code, occurred_at, received_at, dedup_key, payload)
                SELECT gen_random_uuid(), 'vonage', 'SMS', '%1$s' || g, 'DELIVERED', 'delivered', NULL, NULL,
                    TIMESTAMP WITH TIME ZONE '2026-03-01 12:00:00+00' - (%3$s) * INTERVAL '1 second',
                    '%1$s' || g, '{}'
                FROM generate_series(1, %2$d) g""".formatted(prefix, count, secondsOf);
    }

    @Test
    void aPrefixOfFewMatchesIsPagedNewestFirst() {
        assertThat(pageThrough("few-", 2)).containsExactlyElementsOf(newestFirst("few-"));
    }

    @Test
    void aPrefixOfManyMatchesIsPagedNewestFirst() {
        List<String> newest = newestFirst("many-").subList(0, 150);
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int i = 0; i < 3; i++) {
            Reply page = shared.hub()
                    .admin(
                            "GET",
                            "/api/events?message_id_prefix=many-&limit=50" + (after == null ? "" : "&after=" + after),
                            ADMIN);
            seen.addAll(eventIds(page));
            after = page.field("next");
        }
        assertThat(seen).containsExactlyElementsOf(newest);
    }

    @Test
    void aRangeNarrowsAPrefixOfFewMatches() {
        Reply reply = shared.hub()
                .admin(
                        "GET",
                        "/api/events?message_id_prefix=few-&from=2026-03-01T11:59:58Z&to=2026-03-01T12:00:00Z",
                        ADMIN);
        // g / 2 seconds before noon: 2 and 3 are 1 s before, 4 and 5 are 2 s before
        assertThat(messageIds(reply)).containsExactlyInAnyOrder("few-2", "few-3", "few-4", "few-5");
    }

    private List<String> pageThrough(String prefix, int limit) {
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            Reply page = shared.hub()
                    .admin(
                            "GET",
                            "/api/events?message_id_prefix=" + prefix + "&limit=" + limit
                                    + (after == null ? "" : "&after=" + after),
                            ADMIN);
            seen.addAll(eventIds(page));
            after = page.field("next");
            pages++;
        } while (after != null && pages < 20);
        return seen;
    }

    private static List<String> newestFirst(String prefix) {
        return Sql.rows(
                        shared.database(),
                        "SELECT event_id FROM delivery_event WHERE message_id LIKE ?"
                                + " ORDER BY received_at DESC, event_id DESC",
                        prefix + "%")
                .stream()
                .map(row -> row.get("event_id").toString())
                .toList();
    }
}
