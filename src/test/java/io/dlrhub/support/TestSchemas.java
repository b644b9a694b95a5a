package io.dlrhub.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Removes what a test created in the shared PostgreSQL (the machine's one database, shared by every run). */
public final class TestSchemas {

    private static final Pattern SCHEMA = Pattern.compile("currentSchema=(t_[0-9a-f]+)");

    private TestSchemas() {
    }

    /** Drops the schema of a {@link TestDatabase#postgres()} database; nothing for H2. Call after the hubs stopped. */
    public static void drop(TestDatabase database) {
        Matcher schema = SCHEMA.matcher(database.url());
        if (!schema.find()) {
            return;
        }
        try (Connection connection = DriverManager.getConnection(TestDatabase.PG_URL, database.user(), database.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema.group(1) + " CASCADE");
        } catch (Exception e) {
            throw new IllegalStateException("could not drop test schema " + schema.group(1), e);
        }
    }
}
