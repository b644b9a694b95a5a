package io.dlrhub.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dlrhub.Settings;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool and the schema. The database is migrated before any route starts, so no
 * webhook is ever answered by a service whose tables are not there yet.
 */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private Database() {}

    /** The pool: every wait bounded, the embedded default durable and private. */
    public static HikariDataSource createDataSource(Settings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("dlr-hub");
        config.setJdbcUrl(EmbeddedDurability.durable(settings.required("db.url")));
        PrivateDataDirectory.prepare(config.getJdbcUrl());
        PrivateDataDirectory.restrictFiles(config.getJdbcUrl());
        config.setUsername(settings.get("db.user", null));
        config.setPassword(settings.get("db.password", null));
        config.setMaximumPoolSize(settings.getInt("db.pool-size", 10));
        // a webhook waits this long for a connection, then gets 503 and the provider retries it
        config.setConnectionTimeout(settings.getLong("db.connect-timeout-ms", 5000));
        config.setInitializationFailTimeout(settings.getLong("db.startup-timeout-ms", 30000));
        config.setAutoCommit(false);
        long commitTimeoutMs = settings.getLong("db.commit-timeout-ms", 10_000);
        long socketTimeoutMs = settings.getLong("db.socket-timeout-ms", 20_000);
        if (socketTimeoutMs > 0 && socketTimeoutMs <= commitTimeoutMs) {
            throw new IllegalStateException(
                    "DB_SOCKET_TIMEOUT_MS (" + socketTimeoutMs + ") must be above DB_COMMIT_TIMEOUT_MS ("
                            + commitTimeoutMs + "): a webhook is answered 503 before its connection is given up");
        }
        new DatabaseTimeouts(
                        settings.getLong("db.statement-timeout-ms", 15_000),
                        settings.getLong("db.lock-timeout-ms", 2_000),
                        socketTimeoutMs)
                .applyTo(config);
        return new HikariDataSource(config);
    }

    /** Migrates through a data source (tests). */
    public static void migrate(DataSource dataSource) {
        migrate(Flyway.configure().dataSource(dataSource));
    }

    /**
     * Migrates the pool's database on a plain connection of its own: an index built on a large
     * table may take longer than the statement and socket timeouts that bound every webhook's wait.
     * Then the embedded database's files exist and are made readable by the service's user only.
     */
    public static void migrate(HikariDataSource pool) {
        migrate(Flyway.configure().dataSource(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword()));
        PrivateDataDirectory.restrictFiles(pool.getJdbcUrl());
    }

    private static void migrate(FluentConfiguration flyway) {
        MigrateResult result = flyway.locations("classpath:db/migration").load().migrate();
        // an operator upgrading wants to see what the start did to the schema
        LOG.info(
                "Database schema at version {}: {}",
                result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                result.migrations.isEmpty()
                        ? "no migration needed"
                        : result.migrations.size() + " migration(s) applied: "
                                + result.migrations.stream()
                                        .map(m -> m.version + " " + m.description)
                                        .collect(Collectors.joining(", ")));
    }
}
