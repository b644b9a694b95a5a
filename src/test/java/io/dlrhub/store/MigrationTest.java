package io.dlrhub.store;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;

/** The Flyway migrations on a real PostgreSQL: on an empty database, and on one a release behind, with data. */
class MigrationTest {

    @Test
    void anEmptyPostgresIsMigratedToTheLatestVersion() {
        TestDatabase database = TestDatabase.postgres();
        Flyway flyway = flyway(database, null);
        flyway.migrate();
        assertThat(flyway.info().pending()).isEmpty();
        assertThat(flyway.info().applied())
                .extracting(MigrationInfo::getScript)
                .containsExactly(
                        "V1__delivery_events.sql",
                        "V2__outbox.sql",
                        "db.migration.V3__Outbox_without_foreign_key",
                        "V4__outbox_claim_version.sql",
                        "V5__delivery_attempt.sql",
                        "db.migration.V6__Search_indexes_and_bulk_jobs",
                        "db.migration.V7__Dead_deliveries_by_event_time");
        assertThat(
                        Sql.count(
                                database,
                                "SELECT COUNT(*) FROM information_schema.table_constraints"
                                        + " WHERE table_schema = current_schema() AND table_name = 'outbox' AND constraint_type = 'FOREIGN KEY'"))
                .isZero();
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event")).isZero();
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox")).isZero();
    }

    @Test
    void aDatabaseAtTheFirstReleaseKeepsItsDataAndWorksAfterTheUpgrade() throws Exception {
        TestDatabase database = TestDatabase.postgres();
        flyway(database, "1").migrate();
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("""
                    INSERT INTO delivery_event (event_id, provider, channel, message_id, status, provider_status,
                        error_code, occurred_at, received_at, dedup_key, payload)
                    VALUES ('5dddc5f4-13d7-45c8-bade-73d47feac331', 'smsby', 'VIBER', '2892295', 'SENT', 'SENT', NULL, NULL,
                        TIMESTAMP WITH TIME ZONE '2026-01-01 10:00:00+00', 'VIBER' || chr(31) || '2892295' || chr(31) || 'SENT',
                        '{"event_id":"5dddc5f4-13d7-45c8-bade-73d47feac331"}')""");
            statement.execute("""
                    INSERT INTO message_status (provider, message_id, channel, status, status_rank, event_id, updated_at)
                    VALUES ('smsby', '2892295', 'VIBER', 'SENT', 2, '5dddc5f4-13d7-45c8-bade-73d47feac331',
                        TIMESTAMP WITH TIME ZONE '2026-01-01 10:00:00+00')""");
        }

        // the service upgrades the schema at start
        try (RunningHub hub = RunningHub.start(database, Map.of("smsby.tokens", "tok"))) {
            Reply repeat = hub.post("/webhooks/smsby?token=tok", FORM, "channel=VIBER&message_id=2892295&status=SENT");
            assertThat(repeat.field("status")).isEqualTo("duplicate");
            assertThat(repeat.field("event_id")).isEqualTo("5dddc5f4-13d7-45c8-bade-73d47feac331");
            Reply delivered =
                    hub.post("/webhooks/smsby?token=tok", FORM, "channel=VIBER&message_id=2892295&status=DELIVERED");
            assertThat(delivered.field("status")).isEqualTo("accepted");
        }
        assertThat(flyway(database, null).info().pending()).isEmpty();
        assertThat(Sql.rows(database, "SELECT status FROM message_status WHERE message_id = '2892295'"))
                .extracting(r -> r.get("status"))
                .containsExactly("DELIVERED");
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event")).isEqualTo(2);
    }

    /**
     * V6 on a database whose operator built its indexes beforehand (CREATE INDEX CONCURRENTLY, as
     * docs/operations.md says): the upgrade keeps them. And the indexes serve what they are for:
     * a message id prefix as an index range (varchar_pattern_ops; the default operator class of a
     * non-C collation cannot), the dead list newest first off the partial index.
     */
    @Test
    void v6KeepsIndexesBuiltBeforehandAndItsIndexesServeThePrefixSearchAndTheDeadList() throws Exception {
        TestDatabase database = TestDatabase.postgres();
        flyway(database, "5").migrate();
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            statement.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_delivery_event_received"
                    + " ON delivery_event (received_at, event_id)");
        }
        Flyway flyway = flyway(database, null);
        flyway.migrate();
        assertThat(flyway.info().pending()).isEmpty();
        assertThat(Sql.count(
                        database,
                        "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema()"
                                + " AND indexname IN ('ix_delivery_event_received', 'ix_delivery_event_message_id', 'ix_outbox_dead',"
                                + " 'ix_outbox_dead_updated')"))
                .isEqualTo(4);
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            // on empty tables a sequential scan is cheapest: asked not to, the planner shows what an index can do
            statement.execute("SET enable_seqscan = off");
            String prefix =
                    plan(statement, "EXPLAIN SELECT event_id FROM delivery_event WHERE message_id LIKE '2892%'");
            assertThat(prefix).contains("ix_delivery_event_message_id").contains("~>=~");
            statement.execute("SET enable_sort = off");
            String dead = plan(
                    statement,
                    "EXPLAIN SELECT id FROM outbox WHERE state = 'dead' ORDER BY updated_at DESC, id DESC LIMIT 100");
            assertThat(dead).contains("ix_outbox_dead_updated");
        }
    }

    /**
     * V7 on a database with dead and delivered deliveries: the dead ones get their event's
     * received_at (the search's order), the others stay as they were; and the dead of a sink are
     * read in that order off the new partial index, not sorted.
     */
    @Test
    void v7GivesTheDeadTheirEventsTimeAndTheirSearchReadsItsIndex() throws Exception {
        TestDatabase database = TestDatabase.postgres();
        flyway(database, "6").migrate();
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("""
                    INSERT INTO delivery_event (event_id, provider, channel, message_id, status, provider_status,
                        error_code, occurred_at, received_at, dedup_key, payload)
                    VALUES ('5dddc5f4-13d7-45c8-bade-73d47feac331', 'smsby', 'SMS', '2892295', 'FAILED', 'FAILED', NULL, NULL,
                        TIMESTAMP WITH TIME ZONE '2026-01-01 10:00:00+00', 'x', '{}')""");
            statement.execute("""
                    INSERT INTO outbox (event_id, sink, state, attempts, next_attempt_at, created_at, updated_at)
                    VALUES ('5dddc5f4-13d7-45c8-bade-73d47feac331', 'crm', 'dead', 5, now(), now(), now()),
                           ('5dddc5f4-13d7-45c8-bade-73d47feac331', 'alert', 'delivered', 1, now(), now(), now())""");
        }
        flyway(database, null).migrate();
        assertThat(Sql.rows(
                        database,
                        "SELECT sink, event_received_at IS NOT NULL AS copied,"
                                + " event_received_at = TIMESTAMP WITH TIME ZONE '2026-01-01 10:00:00+00' AS same"
                                + " FROM outbox ORDER BY sink"))
                .extracting(r -> r.get("sink") + " " + r.get("copied") + " " + r.get("same"))
                .containsExactly("alert false null", "crm true true");
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("SET enable_seqscan = off");
            statement.execute("SET enable_sort = off");
            String dead = plan(
                    statement,
                    "EXPLAIN SELECT e.event_id FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id"
                            + " WHERE o.state = 'dead' AND o.sink = 'crm'"
                            + " ORDER BY o.event_received_at DESC, o.event_id DESC LIMIT 51");
            assertThat(dead).contains("ix_outbox_dead_received").doesNotContain("Sort");
        }
    }

    private static String plan(Statement statement, String explain) throws java.sql.SQLException {
        StringBuilder plan = new StringBuilder();
        try (var rows = statement.executeQuery(explain)) {
            while (rows.next()) {
                plan.append(rows.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }

    private static Flyway flyway(TestDatabase database, String target) {
        var configuration = Flyway.configure()
                .dataSource(database.url(), database.user(), database.password())
                .locations("classpath:db/migration");
        if (target != null) {
            configuration.target(target);
        }
        return configuration.load();
    }
}
