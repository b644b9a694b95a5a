package io.dlrhub.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.dlrhub.Application;
import io.dlrhub.store.GroupCommit;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;

/**
 * The start and stop order CoreConfiguration promises, on the service as {@code main} starts it:
 * the schema is migrated before the first route starts, and Camel (which stops services in reverse
 * order of adding) stops the dispatcher, then the group commit, then closes the pool.
 */
class CompositionRootTest {

    @Test
    void theSchemaIsMigratedBeforeTheFirstRouteStartsAndThePoolClosesLast() throws Exception {
        TestDatabase database = TestDatabase.postgres();
        List<String> tablesWhenTheFirstRouteStarts = new ArrayList<>();
        Main main = Application.create();
        settings(database).forEach(main::addOverrideProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport starting) {
                starting.getCamelContext().getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
                    @Override
                    public void notify(CamelEvent event) {
                        if (tablesWhenTheFirstRouteStarts.isEmpty()) {
                            // read on a connection of its own, not through the pool under test
                            Sql.rows(
                                            database,
                                            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
                                    .forEach(row ->
                                            tablesWhenTheFirstRouteStarts.add(String.valueOf(row.get("table_name"))));
                            tablesWhenTheFirstRouteStarts.add("(first route starting)");
                        }
                    }

                    @Override
                    public boolean isEnabled(CamelEvent event) {
                        return event.getType() == CamelEvent.Type.RouteStarting;
                    }
                });
            }
        });
        main.start();
        CamelContext context = main.getCamelContext();
        HikariDataSource pool;
        GroupCommit groupCommit;
        try {
            assertThat(tablesWhenTheFirstRouteStarts)
                    .contains("flyway_schema_history", "delivery_event", "outbox", "delivery_attempt");

            List<Service> services = context.getCamelContextExtension().getServices();
            int closePool = indexOf(services, CoreConfiguration.ClosePool.class);
            int writer = indexOf(services, GroupCommit.class);
            int stopDispatcher = indexOf(services, CoreConfiguration.StopDispatcher.class);
            assertThat(closePool)
                    .as("pool closer added (so stopped) before the group commit")
                    .isLessThan(writer);
            assertThat(writer)
                    .as("group commit added (so stopped) before the dispatcher")
                    .isLessThan(stopDispatcher);

            pool = (HikariDataSource)
                    context.getRegistry().lookupByNameAndType("dataSource", javax.sql.DataSource.class);
            groupCommit = context.getRegistry().findSingleByType(GroupCommit.class);
            assertThat(groupCommit).isSameAs(services.get(writer));
        } finally {
            main.stop();
        }
        assertThat(groupCommit.isStopped()).isTrue();
        assertThat(pool.isClosed()).isTrue();
    }

    private static int indexOf(List<Service> services, Class<?> type) {
        for (int i = 0; i < services.size(); i++) {
            if (type.isInstance(services.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " among the services " + services);
    }

    private static Map<String, String> settings(TestDatabase database) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(database.settings());
        settings.put("http.port", "0");
        settings.put("http.host", "127.0.0.1");
        settings.put("management.host", "127.0.0.1");
        settings.put("management.port", String.valueOf(RunningHub.freePort()));
        settings.put(
                "generated-tokens.file",
                Files.createTempFile("dlr-hub-generated-tokens-", ".properties").toString());
        settings.put("smsby.tokens", "tok");
        return settings;
    }
}
