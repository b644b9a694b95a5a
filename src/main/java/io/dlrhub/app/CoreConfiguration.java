package io.dlrhub.app;

import com.zaxxer.hikari.HikariDataSource;
import io.dlrhub.Metrics;
import io.dlrhub.Settings;
import io.dlrhub.outbox.OutboxDispatcher;
import io.dlrhub.outbox.OutboxStore;
import io.dlrhub.outbox.Sinks;
import io.dlrhub.store.Database;
import io.dlrhub.store.EventStore;
import io.dlrhub.store.GroupCommit;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The composition root: builds the database pool, the event and outbox stores, the sinks, the
 * group commit and the outbox dispatcher, and binds them in Camel's {@code @BindToRegistry} style
 * (as camel-examples' main-yaml does); the route builders receive them with {@code @BeanInject}.
 * The only class that knows both the store and the outbox: it joins them through the store's hook.
 * <p>
 * When: the beans are lazy, so the graph is built on the first lookup, which is the
 * {@code @BeanInject} of a route builder. camel-main fills those (RoutesConfigurer, Camel 4.22)
 * after every configuration's {@code configure()} has run (the log filter for secrets and the
 * settings check are in place before the pool logs anything) and before the context starts any
 * service or route: the pool is migrated before any route starts. Eager {@code @BindToRegistry}
 * methods would run as camel-main instantiates this class, before those configure() calls.
 * <p>
 * Order: the whole graph is built at once, in {@link #build}, rather than from one
 * {@code @BindToRegistry} method per bean whose parameters name the others: camel-main orders such
 * methods by a heuristic (fewest parameters first, then whether a parameter type is produced by
 * another method with parameters) that can call {@code groupCommit(EventStore)} before
 * {@code eventStore(...)}. Services are added in build order and Camel stops them in reverse: the
 * dispatcher stops first (gives back its claims), then the group commit (commits what is queued),
 * and the pool closes last, after every route has finished its work.
 */
@Configuration
public class CoreConfiguration implements CamelConfiguration {

    private Built built;

    /** Bean names are the method names; tests and YAML route files ({@code #dataSource}) use them. */
    @BindToRegistry(lazy = true)
    public DataSource dataSource(CamelContext context) throws Exception {
        return build(context).dataSource;
    }

    @BindToRegistry(lazy = true)
    public Sinks sinks(CamelContext context) throws Exception {
        return build(context).sinks;
    }

    @BindToRegistry(lazy = true)
    public OutboxStore outboxStore(CamelContext context) throws Exception {
        return build(context).outbox;
    }

    @BindToRegistry(lazy = true)
    public EventStore eventStore(CamelContext context) throws Exception {
        return build(context).events;
    }

    @BindToRegistry(lazy = true)
    public GroupCommit groupCommit(CamelContext context) throws Exception {
        return build(context).groupCommit;
    }

    @BindToRegistry(lazy = true)
    public OutboxDispatcher outboxDispatcher(CamelContext context) throws Exception {
        return build(context).dispatcher;
    }

    private record Built(
            HikariDataSource dataSource,
            Sinks sinks,
            OutboxStore outbox,
            EventStore events,
            GroupCommit groupCommit,
            OutboxDispatcher dispatcher) {}

    private synchronized Built build(CamelContext context) throws Exception {
        if (built != null) {
            return built;
        }
        Settings settings = new Settings(context);
        HikariDataSource dataSource = Database.createDataSource(settings);
        // hikaricp_connections_* in /observe/metrics
        dataSource.setMetricRegistry(Metrics.registry(context));
        Database.migrate(dataSource);
        // added before any route starts, so it is stopped after the routes have finished their work
        context.addService(new ClosePool(dataSource));
        OutboxStore outbox = new OutboxStore(dataSource, Clock.systemUTC());
        Sinks sinks = new Sinks(context);
        // the outbox rows are written in the event's own transaction: committed together or not at all
        EventStore events = new EventStore(
                dataSource,
                (connection, fresh, payloads) -> outbox.enqueueAll(connection, fresh, sinks::subscribersOf, payloads));
        GroupCommit groupCommit = new GroupCommit(
                events,
                settings.getInt("db.writers", 1),
                settings.getInt("db.batch-size", 200),
                Duration.ofMillis(settings.getLong("db.commit-timeout-ms", 10_000)),
                settings.getInt("db.max-queued-events", 10_000));
        groupCommit.onLockedRow(Metrics.lockedRows(Metrics.registry(context))::increment);
        // stopped before the pool: the events already queued are committed first
        context.addService(groupCommit);
        OutboxDispatcher dispatcher = new OutboxDispatcher(
                context,
                outbox,
                sinks,
                settings.getInt("outbox.batch-size", 100),
                Duration.ofMillis(settings.getLong("outbox.lease-ms", 120_000)),
                settings.get("outbox.alert-sink", "alert"));
        // new rows go to this instance's dispatcher the moment their transaction commits
        outbox.handOffTo(dispatcher);
        // stopped before the group commit and the pool
        context.addService(new StopDispatcher(dispatcher));
        built = new Built(dataSource, sinks, outbox, events, groupCommit, dispatcher);
        return built;
    }

    /** Closes the pool when Camel stops its services: after the routes, the dispatcher and the group commit. */
    static final class ClosePool extends ServiceSupport {

        private final HikariDataSource dataSource;

        ClosePool(HikariDataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        protected void doStop() {
            dataSource.close();
        }
    }

    /** Stops the dispatcher (its unfinished claims are given back) while the pool is still open. */
    static final class StopDispatcher extends ServiceSupport {

        private final OutboxDispatcher dispatcher;

        StopDispatcher(OutboxDispatcher dispatcher) {
            this.dispatcher = dispatcher;
        }

        @Override
        protected void doStop() {
            dispatcher.shutdown();
        }
    }
}
