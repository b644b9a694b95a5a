package io.dlrhub.app;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.dlrhub.Settings;
import io.dlrhub.Metrics;
import io.dlrhub.outbox.OutboxStore;
import io.dlrhub.outbox.Sinks;
import io.dlrhub.store.Database;
import io.dlrhub.store.EventStore;
import io.dlrhub.store.GroupCommit;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The composition root: builds the database pool (migrated before any route starts), the event
 * and outbox stores, the sinks and the group commit, and binds them for the routes. The only
 * class that knows both the store and the outbox: it joins them through the store's hook.
 */
public class CoreConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        HikariDataSource dataSource = Database.createDataSource(new Settings(context));
        // hikaricp_connections_* in /observe/metrics
        dataSource.setMetricRegistry(Metrics.registry(context));
        Database.migrate(dataSource);
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
}
