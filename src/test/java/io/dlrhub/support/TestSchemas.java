package io.dlrhub.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Removes what a test created in the shared PostgreSQL (the machine's one database, shared by every run). */
public final class TestSchemas {

    private static final Pattern SCHEMA = Pattern.compile("currentSchema=(t_[0-9a-f]+)");
    private static final Set<TestDatabase> LEFT = ConcurrentHashMap.newKeySet();

    static {
        // whatever a test forgot: a run leaves no schema behind in the shared database
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> LEFT.forEach(database -> {
                            try {
                                drop(database);
                            } catch (RuntimeException stillInUse) {
                                // e.g. a hub process of a failed test still holds a lock: nothing more to do at exit
                            }
                        }),
                        "drop-test-schemas"));
    }

    private TestSchemas() {}

    /** Drops the schema when the test JVM exits, unless a test dropped it before. */
    static void dropAtExit(TestDatabase database) {
        LEFT.add(database);
    }

    /** Drops the schema of a {@link TestDatabase#postgres()} database; nothing for H2. Call after the hubs stopped. */
    public static void drop(TestDatabase database) {
        Matcher schema = SCHEMA.matcher(database.url());
        if (!schema.find()) {
            return;
        }
        try (Connection connection =
                        DriverManager.getConnection(TestDatabase.PG_URL, database.user(), database.password());
                Statement statement = connection.createStatement()) {
            // never wait long for a connection a stopped hub left behind
            statement.execute("SET lock_timeout = '5s'");
            statement.execute("DROP SCHEMA IF EXISTS " + schema.group(1) + " CASCADE");
            LEFT.remove(database);
        } catch (Exception e) {
            throw new IllegalStateException("could not drop test schema " + schema.group(1), e);
        }
    }
}
