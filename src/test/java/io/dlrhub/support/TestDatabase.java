package io.dlrhub.support;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases tests run against: embedded H2 (always) and the real PostgreSQL of the machine
 * (127.0.0.1:5432, db test). Each PostgreSQL test database is a fresh schema, so runs never see
 * each other's rows. Without a reachable PostgreSQL those tests are skipped, unless
 * DLRHUB_REQUIRE_POSTGRES=true (set by .ci/run) makes that a failure.
 */
public record TestDatabase(String name, String url, String user, String password) {

    public static final String PG_URL = env("DLRHUB_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String PG_USER = env("DLRHUB_TEST_PG_USER", "postgres");
    public static final String PG_PASSWORD = env("DLRHUB_TEST_PG_PASSWORD", "");

    public static TestDatabase h2InMemory() {
        return new TestDatabase(
                "H2",
                "jdbc:h2:mem:" + UUID.randomUUID()
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                "sa",
                "");
    }

    public static TestDatabase h2File(Path directory) {
        return new TestDatabase(
                "H2 file",
                "jdbc:h2:async:" + directory.resolve("dlr-hub")
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE",
                "sa",
                "");
    }

    /** A new, empty schema in the machine's PostgreSQL. */
    public static TestDatabase postgres() {
        String schema = "t_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection connection = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("DLRHUB_REQUIRE_POSTGRES"))) {
                throw new IllegalStateException(
                        "PostgreSQL is required (DLRHUB_REQUIRE_POSTGRES) but " + PG_URL + " is not reachable: "
                                + e.getMessage(),
                        e);
            }
            Assumptions.abort("PostgreSQL at " + PG_URL + " is not reachable: " + e.getMessage());
        }
        String separator = PG_URL.contains("?") ? "&" : "?";
        TestDatabase database =
                new TestDatabase("PostgreSQL", PG_URL + separator + "currentSchema=" + schema, PG_USER, PG_PASSWORD);
        TestSchemas.dropAtExit(database);
        return database;
    }

    /** A pass-through in front of this PostgreSQL database, started: the test can cut or partition it. */
    public TcpProxy proxy() throws IOException {
        URI server = URI.create(url.substring("jdbc:".length()));
        return new TcpProxy(server.getHost(), server.getPort()).start();
    }

    /** This database as dlr-hub reaches it through the proxy. */
    public TestDatabase through(TcpProxy proxy) {
        URI server = URI.create(url.substring("jdbc:".length()));
        return new TestDatabase(
                name + " via proxy",
                url.replace(server.getHost() + ":" + server.getPort(), "127.0.0.1:" + proxy.port()),
                user,
                password);
    }

    public Map<String, String> settings() {
        return Map.of("db.url", url, "db.user", user, "db.password", password);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    private static String env(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : value;
    }
}
