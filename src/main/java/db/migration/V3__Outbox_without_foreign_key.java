package db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Drops outbox.event_id's foreign key. Outbox rows are written in the transaction that stores
 * their event, so the reference cannot dangle; the check cost PostgreSQL a lookup and a row lock
 * on the event for every delivery. In Java because the constraint's name differs by database.
 */
public class V3__Outbox_without_foreign_key extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection connection = context.getConnection();
        List<String> keys = new ArrayList<>();
        try (ResultSet imported = connection.getMetaData().getImportedKeys(null, connection.getSchema(), "outbox")) {
            while (imported.next()) {
                if ("delivery_event".equalsIgnoreCase(imported.getString("PKTABLE_NAME"))) {
                    keys.add(imported.getString("FK_NAME"));
                }
            }
        }
        try (Statement statement = connection.createStatement()) {
            for (String key : keys) {
                statement.execute("ALTER TABLE outbox DROP CONSTRAINT "
                        + connection.getMetaData().getIdentifierQuoteString() + key
                        + connection.getMetaData().getIdentifierQuoteString());
            }
        }
    }
}
