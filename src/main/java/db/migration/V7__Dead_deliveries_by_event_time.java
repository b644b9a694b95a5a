package db.migration;

import io.dlrhub.store.PostgresBulk;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * {@code GET /api/events?sink_state=dead} in the search's order without reading every dead
 * delivery. The search lists events newest first; the dead deliveries' own indexes (V6) know
 * only their id and updated_at, so the search looked up the event of every dead delivery and
 * sorted them all (170 ms p99 with 10,000 dead among 10 million, growing with the dead).
 * <ul>
 *   <li>{@code outbox.event_received_at}: the event's received_at, copied into the delivery when
 *   it goes dead (NULL until then; delivered and pending rows do not need it, and the insert on
 *   the hot path stays as it was). This migration fills it for the deliveries already dead.</li>
 *   <li>{@code ix_outbox_dead_received (event_received_at, event_id, sink)}: the dead deliveries
 *   in the search's order; a page reads the index end and looks up only its own events. sink is
 *   in it so that a search for one sink's dead skips the others' without reading their rows. On
 *   PostgreSQL partial (only dead rows); H2 has no partial index, there it leads with state.</li>
 * </ul>
 * {@code IF NOT EXISTS}: on a large outbox an operator can add the column and build the index
 * beforehand, {@code CONCURRENTLY} (docs/operations.md), and the upgrade then only fills the column.
 */
public class V7__Dead_deliveries_by_event_time extends BaseJavaMigration {

    private static final String COLUMN =
            "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS event_received_at TIMESTAMP WITH TIME ZONE";

    private static final String FILL = """
            UPDATE outbox SET event_received_at =
                (SELECT e.received_at FROM delivery_event e WHERE e.event_id = outbox.event_id)
            WHERE state = 'dead' AND event_received_at IS NULL""";

    private static final String POSTGRES_INDEX = "CREATE INDEX IF NOT EXISTS ix_outbox_dead_received"
            + " ON outbox (event_received_at, event_id, sink) WHERE state = 'dead'";

    private static final String H2_INDEX = "CREATE INDEX IF NOT EXISTS ix_outbox_dead_received"
            + " ON outbox (state, event_received_at, event_id, sink)";

    @Override
    public void migrate(Context context) throws SQLException {
        boolean postgres = PostgresBulk.isPostgres(context.getConnection());
        try (Statement statement = context.getConnection().createStatement()) {
            statement.execute(COLUMN);
            // the index before the fill: filled first, the column's rows would be updated in place
            // (HOT, no index on it yet), and PostgreSQL would then keep the new index from every
            // query until the oldest transaction running at the upgrade had ended (indcheckxmin)
            statement.execute(postgres ? POSTGRES_INDEX : H2_INDEX);
            statement.execute(FILL);
        }
    }
}
