package io.dlrhub.store;

import java.time.Clock;
import java.time.Duration;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dlrhub.Settings;
import io.dlrhub.observe.Metrics;
import io.dlrhub.outbox.OutboxStore;
import io.dlrhub.outbox.Sinks;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool and the schema. The database is migrated here, before any route starts,
 * so no webhook is ever answered by a service whose tables are not there yet.
 */
public class StoreConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StoreConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        HikariDataSource dataSource = createDataSource(new Settings(context));
        // hikaricp_connections_* in /observe/metrics
        dataSource.setMetricRegistry(Metrics.registry(context));
        // migrations run on a plain connection of their own: an index built on a large table may
        // take longer than the statement and socket timeouts that bound every webhook's wait
        migrate(Flyway.configure().dataSource(dataSource.getJdbcUrl(), dataSource.getUsername(), dataSource.getPassword()));
        // the embedded database's files now exist: readable by the service's user only
        PrivateDataDirectory.restrictFiles(dataSource.getJdbcUrl());
        context.getRegistry().bind("dataSource", DataSource.class, dataSource);
        OutboxStore outbox = new OutboxStore(dataSource, Clock.systemUTC());
        Sinks sinks = new Sinks(context);
        context.getRegistry().bind("outboxStore", OutboxStore.class, outbox);
        context.getRegistry().bind("sinks", Sinks.class, sinks);
        // the outbox rows are written in the event's own transaction: committed together or not at all
        EventStore events = new EventStore(dataSource,
                (connection, fresh, payloads) -> outbox.enqueueAll(connection, fresh, sinks::subscribersOf, payloads));
        context.getRegistry().bind("eventStore", EventStore.class, events);
        // added before any route starts, so it is stopped after the routes have finished their work
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                dataSource.close();
            }
        });
        Settings settings = new Settings(context);
        GroupCommit groupCommit = new GroupCommit(events, settings.getInt("db.writers", 1),
                settings.getInt("db.batch-size", 200), Duration.ofMillis(settings.getLong("db.commit-timeout-ms", 10_000)),
                settings.getInt("db.max-queued-events", 10_000));
        groupCommit.onLockedRow(Metrics.lockedRows(Metrics.registry(context))::increment);
        context.getRegistry().bind("groupCommit", GroupCommit.class, groupCommit);
        // stopped before the pool: the events already queued are committed first
        context.addService(groupCommit);
    }

    static HikariDataSource createDataSource(Settings settings) {
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
            throw new IllegalStateException("DB_SOCKET_TIMEOUT_MS (" + socketTimeoutMs + ") must be above DB_COMMIT_TIMEOUT_MS ("
                    + commitTimeoutMs + "): a webhook is answered 503 before its connection is given up");
        }
        new DatabaseTimeouts(settings.getLong("db.statement-timeout-ms", 15_000), settings.getLong("db.lock-timeout-ms", 2_000),
                socketTimeoutMs).applyTo(config);
        return new HikariDataSource(config);
    }

    static void migrate(DataSource dataSource) {
        migrate(Flyway.configure().dataSource(dataSource));
    }

    private static void migrate(FluentConfiguration flyway) {
        MigrateResult result = flyway
                .locations("classpath:db/migration")
                .load()
                .migrate();
        // an operator upgrading wants to see what the start did to the schema
        LOG.info("Database schema at version {}: {}", result.targetSchemaVersion != null ? result.targetSchemaVersion
                : result.initialSchemaVersion, result.migrations.isEmpty() ? "no migration needed"
                : result.migrations.size() + " migration(s) applied: " + result.migrations.stream()
                        .map(m -> m.version + " " + m.description).collect(Collectors.joining(", ")));
    }
}
