package io.dlrhub.outbox;

import java.time.Duration;

import io.dlrhub.Settings;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.service.ServiceSupport;

/** The dispatcher's clock: a tick every {@code outbox.poll-interval-ms} starts work for idle sinks. */
public class OutboxRoutes extends RouteBuilder {

    @Override
    public void configure() throws Exception {
        Settings settings = new Settings(getContext());
        OutboxDispatcher dispatcher = new OutboxDispatcher(getContext(),
                getContext().getRegistry().lookupByNameAndType("outboxStore", OutboxStore.class),
                getContext().getRegistry().lookupByNameAndType("sinks", Sinks.class),
                settings.getInt("outbox.batch-size", 100),
                Duration.ofMillis(settings.getLong("outbox.lease-ms", 120_000)),
                settings.get("outbox.alert-sink", "alert"));
        getContext().getRegistry().bind("outboxDispatcher", OutboxDispatcher.class, dispatcher);
        getContext().getRegistry().lookupByNameAndType("outboxStore", OutboxStore.class).handOffTo(dispatcher);
        // stopped before the connection pool (services stop in reverse order of adding)
        getContext().addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                dispatcher.shutdown();
            }
        });

        from("timer:outbox-dispatcher?period={{outbox.poll-interval-ms:250}}&delay={{outbox.poll-interval-ms:250}}")
                .routeId("outbox-dispatcher")
                .process(exchange -> dispatcher.tick());
    }
}
